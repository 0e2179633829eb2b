'use client';
import { ErrorPanel } from '../components/ui/ErrorPanel';

export default function FleetError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorPanel title="The fleet could not be loaded" error={error} retry={retry} />;
}
