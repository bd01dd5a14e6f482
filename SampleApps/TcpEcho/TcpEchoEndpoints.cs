using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Samples.TcpEcho;

/// <summary>The sockets the server listens on; after start, ports chosen by the OS (port 0) are the real ones.</summary>
public sealed class TcpEchoEndpoints
{
    private readonly List<ListenOptions> _echo = [];
    private ListenOptions? _health;

    public IReadOnlyList<IPEndPoint> Echo => [.. _echo.Select(listen => listen.IPEndPoint!)];

    public IPEndPoint? Health => _health?.IPEndPoint;

    internal void AddEcho(ListenOptions listen) => _echo.Add(listen);

    internal void SetHealth(ListenOptions listen) => _health = listen;
}
