using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Samples.ExtAuthz;

/// <summary>
/// The three listeners and which one a request came in on (by local port: each listener has
/// its own). After start, ports chosen by the OS (port 0) are the real ones.
/// </summary>
public sealed class ExtAuthzEndpoints
{
    private ListenOptions? _http;
    private ListenOptions? _grpc;
    private ListenOptions? _health;

    public IPEndPoint Http => _http?.IPEndPoint ?? throw NotConfigured();

    public IPEndPoint Grpc => _grpc?.IPEndPoint ?? throw NotConfigured();

    public IPEndPoint? Health => _health?.IPEndPoint;

    internal void Set(ListenOptions http, ListenOptions grpc, ListenOptions? health) => (_http, _grpc, _health) = (http, grpc, health);

    internal bool IsHttpCheck(HttpContext context) => context.Connection.LocalPort == _http?.IPEndPoint?.Port;

    internal bool IsHealth(HttpContext context) => _health is not null && context.Connection.LocalPort == _health.IPEndPoint?.Port;

    private static InvalidOperationException NotConfigured() => new("the server has not been configured yet");
}
