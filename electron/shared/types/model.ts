export type ChatTemplateFamily = 'llama3' | 'chatml' | 'mistral' | 'gemma' | 'phi3' | 'phi4';

export interface ModelArchitecture {
  /** Total parameters, in billions. */
  paramsB: number;
  layers: number;
  hiddenSize: number;
  heads: number;
  kvHeads: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  /** HF architecture class, e.g. LlamaForCausalLM */
  architecture: string;
  tieWordEmbeddings?: boolean;
  /** Per-head width when it is not hiddenSize / heads (Qwen3, Gemma); drives the q/k/v/o shapes. */
  headDim?: number;
}

export interface ModelSpec extends ModelArchitecture {
  /** Catalogue id (e.g. "llama-3.2-1b-instruct") or "local:<path>". */
  id: string;
  name: string;
  family: string;
  kind: 'base' | 'instruct';
  /** 16-bit weights on the Hugging Face Hub. */
  hfId: string | null;
  /** Unsloth's pre-quantised 4-bit repo. */
  hfId4bit: string | null;
  chatTemplate: ChatTemplateFamily;
  license: string;
  gated: boolean;
  /** Whether Ollama can import this architecture from safetensors. */
  ollamaImport: boolean;
  /** Why ollamaImport is what it is, when that needs saying (checked against Ollama's converter). */
  ollamaImportNote?: string;
  /** Ollama model that is the same base, for adapters and side-by-side chat (e.g. "llama3.2:1b"). */
  ollamaBase?: string | null;
  /** Set for local folders; null for the demo model until its folder is built. */
  localPath?: string | null;
  /** True for the demo model (SmolLM2-135M-Instruct): what "Try the demo" trains on a CPU. */
  demo?: boolean;
}
