/** Addresses on the Hugging Face Hub and where a repo lands on disk. */
import path from 'node:path';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** HF_ENDPOINT is the Hub's own convention (mirrors, proxies), so users who set it keep it. */
export function hubEndpoint(env: NodeJS.ProcessEnv): string {
  const raw = env.HF_ENDPOINT?.trim();
  return (raw ? raw : DEFAULT_ENDPOINT).replace(/\/+$/, '');
}

// owner/name, each part as the Hub allows it; no "..", so a repo id can never climb out of models/hf.
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}\/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

export function isRepoId(s: string): boolean {
  return REPO_ID.test(s) && !s.includes('..');
}

/** <dataDir>/models/hf/<owner>/<name>: one folder per repo, the layout transformers' from_pretrained reads. */
export function repoDir(dataDir: string, repo: string): string {
  const [owner, name] = repo.split('/');
  return path.join(dataDir, 'models', 'hf', owner, name);
}

const encPath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** blobs=true makes the Hub include each file's size and hashes, so nothing needs a HEAD per file. */
export function infoUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

export function fileUrl(endpoint: string, repo: string, revision: string, file: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${encPath(file)}`;
}

export function modelPageUrl(endpoint: string, repo: string): string {
  return `${endpoint}/${repo}`;
}
