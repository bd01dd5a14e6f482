namespace Mesh.Proxy.Core.Configuration;

/// <summary>The client that carries proxied HTTP/1.1 requests upstream (<see cref="MeshProxyOptions.Http1Client"/>).</summary>
public enum UpstreamHttp1Client
{
    /// <summary>.NET's HttpClient (SocketsHttpHandler) for every request.</summary>
    HttpClient,

    /// <summary>The mesh's keep-alive HTTP/1.1 connection pool; HttpClient for HTTP/2, upgrades, CONNECT and Expect: 100-continue.</summary>
    Mesh,
}
