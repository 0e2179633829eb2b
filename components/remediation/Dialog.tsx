'use client';
// A real modal on the native <dialog> element: showModal() puts it in the top layer and makes the rest of the
// page inert (so focus cannot wander behind it), Escape fires `cancel`, and the element has role="dialog"
// natively. We label it by its heading and give focus back to whatever opened it.
import { useEffect, useId, useRef } from 'react';
import styles from './remediation.module.css';

interface Props {
  open: boolean;
  title: React.ReactNode;
  onClose: () => void;
  /** While true, Escape and the close button do nothing (e.g. a request is in flight). */
  busy?: boolean;
  children: React.ReactNode;
  footer?: React.ReactNode;
}

export function Dialog({ open, title, onClose, busy = false, children, footer }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      if (opener.current instanceof HTMLElement && opener.current.isConnected) opener.current.focus();
    }
  }, [open]);

  // Unmounting while open must not leave the page inert.
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      if (dialog?.open) dialog.close();
    };
  }, []);

  return (
    <dialog
      ref={ref}
      className={styles.dialog}
      aria-labelledby={titleId}
      onCancel={(e) => {
        // Escape: the browser would close the element itself; let React state decide instead.
        e.preventDefault();
        if (!busy) onClose();
      }}
    >
      {open && (
        <div className={styles.dialogBody}>
          <div className={styles.dialogHead}>
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="button" onClick={onClose} disabled={busy} aria-label="Close">
              ×
            </button>
          </div>
          <div className={styles.dialogContent}>{children}</div>
          {footer && <div className={styles.dialogFoot}>{footer}</div>}
        </div>
      )}
    </dialog>
  );
}
