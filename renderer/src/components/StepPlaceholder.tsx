export function StepPlaceholder({ title }: { title: string }) {
  return (
    <section className="card">
      <h2>{title}</h2>
      <p className="muted">This step is being built.</p>
    </section>
  );
}
