namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// Cancels when its parent token does or when <c>timeout</c> has passed on the proxy's
/// <see cref="TimeProvider"/>: <c>CreateLinkedTokenSource(parent)</c> plus <c>CancelAfter(timeout)</c>,
/// but on the clock the proxy was given (a fake one in tests), at the same cost — one source, one
/// timer, one registration on the parent.
/// </summary>
internal sealed class LinkedTimeoutSource : CancellationTokenSource
{
    private readonly CancellationTokenRegistration _parent;

    public LinkedTimeoutSource(CancellationToken parent, TimeSpan timeout, TimeProvider time)
        : base(timeout, time)
    {
        _parent = parent.UnsafeRegister(static source => ((CancellationTokenSource)source!).Cancel(), this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Waits for a parent callback in flight, so Cancel never meets a disposed source.
            _parent.Dispose();
        }

        base.Dispose(disposing);
    }
}
