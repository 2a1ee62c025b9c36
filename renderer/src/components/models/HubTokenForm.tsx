import { useState } from 'react';
import { tokenSourceText, useDownloads, type TokenStatus } from '../../stores/downloads';

const STORAGE_NOTE = {
  safeStorage: 'encrypted by your system keychain',
  file: "in a file only your user account can read (mode 0600) in Hone's data folder, as no system keychain is available here",
} as const;

function status(token: TokenStatus | null): string {
  if (!token) return '';
  if (token.source === 'saved') return `A token is saved, ${STORAGE_NOTE[token.storage]}.`;
  if (token.source) return `Using ${tokenSourceText(token)}. A token saved here would be used instead; it would be kept ${STORAGE_NOTE[token.storage]}.`;
  return `No token yet. A token saved here is kept ${STORAGE_NOTE[token.storage]}; Hone also uses HF_TOKEN or your \`hf auth login\` token.`;
}

/** The Hugging Face token field. The token goes to the core once and never comes back: only where the one in use comes from. */
export function HubTokenForm() {
  const { token, tokenError, setToken } = useDownloads();
  const [value, setValue] = useState('');
  const save = async () => {
    // Out of the field as soon as it is sent, not a render after the status says "saved" (the spec caught the
    // token still in the page then); put back only when the core refused it, so the user can correct it.
    const typed = value;
    setValue('');
    if (!(await setToken(typed))) setValue(typed);
  };
  return (
    <div data-testid="download-token">
      <div className="row">
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={token?.source === 'saved' ? 'A token is saved; paste a new one to replace it' : 'hf_… (a read token)'}
          aria-label="Hugging Face access token"
          data-testid="download-token-input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && value.trim() && void save()}
          style={{ flex: 1 }}
        />
        <button type="button" data-testid="download-token-save" disabled={!value.trim()} onClick={() => void save()}>
          Save token
        </button>
        {token?.source === 'saved' && (
          <button type="button" data-testid="download-token-remove" onClick={() => void setToken(null)}>
            Remove
          </button>
        )}
      </div>
      <div className="muted" data-testid="download-token-status">
        {status(token)}
      </div>
      {tokenError && <div className="error-box">{tokenError.message}{tokenError.hint ? ` ${tokenError.hint}` : ''}</div>}
    </div>
  );
}
