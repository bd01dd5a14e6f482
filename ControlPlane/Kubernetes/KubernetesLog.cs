namespace Mesh.ControlPlane.Kubernetes;

/// <summary>The Kubernetes mode's log messages (source-generated).</summary>
internal static partial class KubernetesLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Listed {Count} {Kind} object(s) at resource version {ResourceVersion}")]
    public static partial void Listed(ILogger logger, int count, string kind, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "The {Kind} watch expired (410 Gone at resource version {ResourceVersion}); listing again")]
    public static partial void WatchExpired(ILogger logger, string kind, string? resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Listing or watching {Kind} failed; retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, string kind, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Kind} CRD is not installed on the API server (404); treating it as empty and retrying in {Delay}")]
    public static partial void KindMissing(ILogger logger, string kind, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Origin} (generation {Generation}) is invalid and not applied{Serving}: {Errors}")]
    public static partial void InvalidObject(ILogger logger, string origin, long generation, string serving, string errors);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing the status of {Origin} failed")]
    public static partial void StatusWriteFailed(ILogger logger, string origin, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciling the mesh custom resources failed")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Every mesh CRD listed: {Count} object(s); the control plane is ready")]
    public static partial void InitialSyncDone(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TokenReview of a proxy credential failed")]
    public static partial void TokenReviewFailed(ILogger logger, Exception exception);
}
