import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// jsdom has no ResizeObserver; recharts' ResponsiveContainer needs one.
class ResizeObserverStub {
  observe() {}
  unobserve() {}
  disconnect() {}
}
if (!('ResizeObserver' in window)) {
  (window as any).ResizeObserver = ResizeObserverStub;
}

// The tab's tests render the whole tab (table, drawer, chart) and type with
// user-event; run beside every other package's tests on a 2-core CI machine
// they take longer than Jest's 5 s default.
jest.setTimeout(30_000);

// For the same reason, findBy* and waitFor wait up to 10 s for what loads
// asynchronously (a summary, a permission decision), not their default 1 s.
configure({ asyncUtilTimeout: 10_000 });
