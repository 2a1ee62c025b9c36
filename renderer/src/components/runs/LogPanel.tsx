import { useEffect, useRef } from 'react';

/** The run's log tail; follows the end unless the user scrolled up to read. */
export function LogPanel({ lines, version }: { lines: readonly string[]; version: number }) {
  const ref = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);
  useEffect(() => {
    const el = ref.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [version, lines.length]);
  return (
    <details className="card" open>
      <summary>Log ({lines.length} lines)</summary>
      <pre
        className="log"
        ref={ref}
        data-testid="train-log"
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {lines.slice(-300).join('\n') || 'No output yet.'}
      </pre>
    </details>
  );
}
