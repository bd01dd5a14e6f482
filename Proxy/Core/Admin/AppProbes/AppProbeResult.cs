namespace Mesh.Proxy.Core.Admin.AppProbes;

/// <summary>What the sidecar answers the kubelet: the status (2xx passes, anything else fails) and a short reason of its own.</summary>
internal readonly record struct AppProbeResult(int StatusCode, string Detail)
{
    public const int Failed = 500;

    public bool Passed => StatusCode is >= 200 and < 400;

    public static AppProbeResult Fail(string detail) => new(Failed, detail);
}
