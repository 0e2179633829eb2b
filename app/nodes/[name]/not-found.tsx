import { NodeNotFound } from '../../../components/node/NodeNotFound';

export default function NotFound() {
  return <NodeNotFound />;
}
