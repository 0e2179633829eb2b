'use client';
import { useParams } from 'next/navigation';
import { ErrorPanel } from '../../../components/ui/ErrorPanel';

export default function NodeError({ error, retry }: { error: unknown; retry: () => void }) {
  const params = useParams<{ name?: string }>();
  const name = typeof params?.name === 'string' ? params.name : 'this node';
  return <ErrorPanel title={`The page for ${name} could not be loaded`} error={error} retry={retry} />;
}
