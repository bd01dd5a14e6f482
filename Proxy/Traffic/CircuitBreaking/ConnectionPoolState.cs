using System.Collections.Concurrent;

namespace Mesh.Proxy.Traffic.CircuitBreaking;

/// <summary>
/// The live counters of one cluster's circuit breakers: requests in flight, requests waiting for an
/// HTTP/1.1 connection (first come, first served) and retries outstanding. Lock-free; limits come
/// from the current snapshot's <see cref="ConnectionPoolModel"/> at each call, so a new snapshot
/// changes them without resetting what is in flight.
/// </summary>
internal sealed class ConnectionPoolState
{
    private readonly ConcurrentQueue<TaskCompletionSource<bool>> _waiters = new();
    private int _active;
    private int _pending;
    private int _retries;

    public int Active => Volatile.Read(ref _active);

    public int Pending => Volatile.Read(ref _pending);

    public int RetriesOutstanding => Volatile.Read(ref _retries);

    /// <summary>Admits at once, queues (<see cref="PoolAdmission.Pending"/>: call <see cref="WaitAsync"/>) or overflows.</summary>
    public PoolAdmission TryAdmit(ConnectionPoolModel limits)
    {
        var limit = limits.ActiveLimit;
        while (true)
        {
            var active = Volatile.Read(ref _active);
            if (active < limit && _waiters.IsEmpty)
            {
                if (Interlocked.CompareExchange(ref _active, active + 1, active) == active)
                {
                    return PoolAdmission.Admitted;
                }

                continue;
            }

            if (!limits.CanWait(active))
            {
                return PoolAdmission.Overflow;
            }

            if (Interlocked.Increment(ref _pending) > limits.PendingLimit)
            {
                Interlocked.Decrement(ref _pending);
                return PoolAdmission.Overflow;
            }

            return PoolAdmission.Pending;
        }
    }

    /// <summary>Waits for a slot after <see cref="PoolAdmission.Pending"/>; false when cancelled first (nothing to release then).</summary>
    public async ValueTask<bool> WaitAsync(ConnectionPoolModel limits, CancellationToken cancellationToken)
    {
        var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiters.Enqueue(waiter);
        HandOff(limits);
        using (cancellationToken.Register(static s => ((TaskCompletionSource<bool>)s!).TrySetCanceled(), waiter))
        {
            try
            {
                return await waiter.Task;
            }
            catch (OperationCanceledException)
            {
                // The hand-off skips cancelled waiters, so the pending count is ours to give back.
                Interlocked.Decrement(ref _pending);
                return false;
            }
        }
    }

    /// <summary>Frees an admitted request's slot and passes it to the longest waiting request, if any.</summary>
    public void Release(ConnectionPoolModel limits)
    {
        Interlocked.Decrement(ref _active);
        if (!_waiters.IsEmpty)
        {
            HandOff(limits);
        }
    }

    /// <summary>Reserves a retry when fewer than <paramref name="limit"/> are outstanding (0 = unlimited); a success must be matched by <see cref="EndRetry"/>.</summary>
    public bool TryBeginRetry(int limit)
    {
        var outstanding = Interlocked.Increment(ref _retries);
        if (limit > 0 && outstanding > limit)
        {
            Interlocked.Decrement(ref _retries);
            return false;
        }

        return true;
    }

    public void EndRetry() => Interlocked.Decrement(ref _retries);

    private void HandOff(ConnectionPoolModel limits)
    {
        var limit = limits.ActiveLimit;
        while (_waiters.TryPeek(out _))
        {
            var active = Volatile.Read(ref _active);
            if (active >= limit)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _active, active + 1, active) != active)
            {
                continue;
            }

            if (!_waiters.TryDequeue(out var waiter))
            {
                // Another hand-off took the waiter we saw; give the slot back and look again.
                Interlocked.Decrement(ref _active);
                continue;
            }

            if (waiter.TrySetResult(true))
            {
                Interlocked.Decrement(ref _pending);
            }
            else
            {
                Interlocked.Decrement(ref _active); // the waiter was cancelled
            }
        }
    }
}
