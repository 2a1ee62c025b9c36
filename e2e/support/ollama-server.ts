/**
 * The real Ollama server for the tests. The code lives in electron/core/ollama/integration/test-server.ts so the
 * core's integration tests (in the electron project, which cannot import e2e/) share it; e2e and the test
 * orchestrator import it from here.
 */
export * from '../../electron/core/ollama/integration/test-server';
