// Small inline SVG shapes that carry meaning without colour: a tick, a triangle, an octagon, a clock, a dashed
// ring. Decorative for assistive tech (aria-hidden): the word beside each icon is what gets announced.
export type IconShape = 'check' | 'warn' | 'bad' | 'clock' | 'unknown' | 'info';

const paths: Record<IconShape, React.ReactNode> = {
  check: (
    <>
      <circle cx="8" cy="8" r="6.5" />
      <path d="M5 8.2l2 2 4-4.4" />
    </>
  ),
  warn: (
    <>
      <path d="M8 1.8l6.6 11.7H1.4z" />
      <path d="M8 6.2v3.3M8 11.4v.2" />
    </>
  ),
  bad: (
    <>
      <path d="M5.3 1.5h5.4l3.8 3.8v5.4l-3.8 3.8H5.3l-3.8-3.8V5.3z" />
      <path d="M5.8 5.8l4.4 4.4M10.2 5.8l-4.4 4.4" />
    </>
  ),
  clock: (
    <>
      <circle cx="8" cy="8" r="6.5" />
      <path d="M8 4.3V8l2.6 1.6" />
    </>
  ),
  unknown: (
    <>
      <circle cx="8" cy="8" r="6.5" strokeDasharray="2.2 1.6" />
      <path d="M6.3 6.3a1.8 1.8 0 1 1 2.4 1.7c-.5.2-.7.6-.7 1.1v.3M8 11.4v.2" />
    </>
  ),
  info: (
    <>
      <circle cx="8" cy="8" r="6.5" />
      <path d="M8 7.2v4M8 4.8v.2" />
    </>
  ),
};

export function Icon({ shape, className }: { shape: IconShape; className?: string }) {
  return (
    <svg
      className={className ? `icon ${className}` : 'icon'}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      {paths[shape]}
    </svg>
  );
}
