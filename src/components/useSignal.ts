import { ISignal } from '@lumino/signaling';
import { useEffect, useState } from 'react';

/** Re-render whenever `signal` emits; connects in an effect and disconnects in its cleanup. */
export function useSignal<T>(
  signal: ISignal<T, unknown> | null | undefined
): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!signal) {
      return;
    }
    const onEmit = () => setTick(tick => tick + 1);
    signal.connect(onEmit);
    return () => {
      signal.disconnect(onEmit);
    };
  }, [signal]);
}
