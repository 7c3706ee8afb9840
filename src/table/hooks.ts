import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Re-render the component whenever `signal` emits; disconnects on unmount. */
export function useRerender<T, U>(signal: ISignal<T, U>): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    const onEmit = () => setTick(tick => tick + 1);
    signal.connect(onEmit);
    return () => {
      signal.disconnect(onEmit);
    };
  }, [signal]);
}
