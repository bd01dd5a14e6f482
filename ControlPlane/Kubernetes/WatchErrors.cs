using System.Net;
using k8s;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// What a KubernetesClient watch reported through its <c>onError</c> callback: 410 Gone (the
/// resource version was compacted away: list again) or the first other failure (resume later).
/// </summary>
internal sealed class WatchErrors
{
    public bool Expired { get; private set; }

    public Exception? Failure { get; private set; }

    public void Record(Exception exception)
    {
        if (exception is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
        {
            Expired = true;
        }
        else
        {
            Failure ??= exception;
        }
    }

    /// <summary>A malformed event or a non-410 error status ends the watch as a failure.</summary>
    public void ThrowIfFailed(string what)
    {
        if (Failure is not null && !Expired)
        {
            throw new InvalidOperationException($"the {what} watch failed: {Failure.Message}", Failure);
        }
    }
}
