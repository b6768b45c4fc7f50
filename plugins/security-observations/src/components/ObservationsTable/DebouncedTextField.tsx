import TextField, { TextFieldProps } from '@material-ui/core/TextField';
import { useEffect, useRef, useState } from 'react';
import useDebounce from 'react-use/esm/useDebounce';

export const FILTER_DEBOUNCE_MS = 400;

/**
 * A text filter that reports its value once typing pauses, so the backend
 * is not queried per keystroke. Follows `value` when it changes from
 * outside (e.g. "Clear filters" or the browser's back button).
 */
export const DebouncedTextField = ({
  value,
  onValueChange,
  ...props
}: Omit<TextFieldProps, 'value' | 'onChange'> & {
  value: string;
  onValueChange: (value: string) => void;
}) => {
  const [text, setText] = useState(value);
  const reported = useRef(value);

  useEffect(() => {
    if (value !== reported.current) {
      reported.current = value;
      setText(value);
    }
  }, [value]);

  useDebounce(
    () => {
      if (text !== reported.current) {
        reported.current = text;
        onValueChange(text);
      }
    },
    FILTER_DEBOUNCE_MS,
    [text],
  );

  return (
    <TextField
      {...props}
      value={text}
      onChange={event => setText(event.target.value)}
    />
  );
};
