export function Loading({ label = "Chargement…" }: { label?: string }) {
  return (
    <p role="status" className="fr-my-4w">
      {label}
    </p>
  );
}
