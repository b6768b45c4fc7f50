import Tooltip from '@material-ui/core/Tooltip';
import { cloneElement, ReactElement, useState } from 'react';
import { visuallyHidden } from '../visuallyHidden';

let lastId = 0;

/**
 * Explains a disabled control. Disabled buttons get no pointer events, so
 * the tooltip sits on a wrapper; the reason is also the control's
 * accessible description, which screen readers announce with it.
 */
export const DisabledReasonTooltip = ({
  reason,
  children,
}: {
  /** When unset, the control is enabled and shown as is. */
  reason?: string;
  children: ReactElement;
}) => {
  const [id] = useState(
    () => `security-observations-disabled-reason-${++lastId}`,
  );
  if (!reason) return children;
  return (
    <Tooltip title={reason}>
      <span style={{ display: 'inline-block' }}>
        {cloneElement(children, { 'aria-describedby': id })}
        <span id={id} style={visuallyHidden}>
          {reason}
        </span>
      </span>
    </Tooltip>
  );
};
