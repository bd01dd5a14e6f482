namespace Mesh.ControlPlane.Discovery;

/// <summary>Whether a proxy holds what the control plane last sent it (istioctl proxy-status).</summary>
internal enum ProxySyncStatus
{
    /// <summary>The proxy acknowledged the latest snapshot sent to it.</summary>
    Synced,

    /// <summary>The latest snapshot was sent moments ago; no answer yet (within the ACK timeout).</summary>
    Pending,

    /// <summary>Nothing sent yet, or the latest snapshot was not acknowledged within the ACK timeout.</summary>
    Stale,

    /// <summary>The proxy rejected the latest snapshot sent to it and keeps serving its previous one.</summary>
    Nacked,
}
