import { render, screen } from '@testing-library/react';
import { TruncatedPath } from './TruncatedPath';

describe('TruncatedPath', () => {
  it('shows the whole path as one text, and as its tooltip', () => {
    render(<TruncatedPath path="src/module12/handlers/refunds.ts:42" />);

    const path = screen.getByTitle('src/module12/handlers/refunds.ts:42');
    expect(path.tagName).toBe('CODE');
    expect(path).toHaveTextContent(/^src\/module12\/handlers\/refunds\.ts:42$/);
    // One text node: copied, it is the path as written.
    expect(
      screen.getByText('src/module12/handlers/refunds.ts:42'),
    ).toBeInTheDocument();
  });

  it('renders in the element it is given', () => {
    render(
      <TruncatedPath
        path="ghcr.io/acme/payments-api:1.42.0"
        component="span"
      />,
    );

    expect(screen.getByTitle('ghcr.io/acme/payments-api:1.42.0').tagName).toBe(
      'SPAN',
    );
  });
});
