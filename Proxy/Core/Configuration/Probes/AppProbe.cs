namespace Mesh.Proxy.Core.Configuration.Probes;

internal enum AppProbeAction
{
    HttpGet,
    TcpSocket,
    Grpc,
}

/// <summary>A validated app probe: what to run against the app on loopback, and how long it may take.</summary>
internal sealed record AppProbe(
    string Path,
    AppProbeAction Action,
    int Port,
    TimeSpan Timeout,
    string HttpPath = "/",
    bool Https = false,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null,
    string GrpcService = "");
