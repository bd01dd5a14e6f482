using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Dns.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Dns.Serving;

/// <summary>
/// Runs the DNS proxy while the sidecar runs, when <c>Mesh:Dns:Enabled</c>: names from the applied
/// snapshot's name table, upstream from <c>Mesh:Dns:Upstream</c> or the host's resolv.conf.
/// </summary>
internal sealed partial class DnsProxyService(IOptions<MeshProxyOptions> options, RoutingState routing, ILogger<DnsProxyService> logger) : IHostedService
{
    private DnsProxyServer? _server;

    /// <summary>Where the proxy listens once started; null when it is off.</summary>
    public IPEndPoint? EndPoint => _server?.EndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var dns = options.Value.Dns;
        if (!dns.Enabled)
        {
            return Task.CompletedTask;
        }

        var upstreams = dns.Upstream.Count > 0 ? [.. dns.Upstream.Select(DnsProxyOptions.ParseUpstream)] : ResolvConf.Read(dns.ResolvConf).NameServers;
        if (upstreams.Count == 0)
        {
            Log.NoUpstream(logger, dns.ResolvConf);
        }

        var answerer = new DnsAnswerer(() => routing.Current?.FeatureModels.Get<DnsNameTable>(), new DnsForwarder(upstreams, TimeSpan.FromMilliseconds(dns.UpstreamTimeoutMs)));
        var endPoint = new IPEndPoint(IPAddress.Parse(dns.BindAddress), dns.Port);
        try
        {
            _server = DnsProxyServer.Start(endPoint, answerer.AnswerAsync, logger);
        }
        catch (SocketException ex)
        {
            // The sidecar program reports it as the one line it is (MeshProxyProgram), as Kestrel's listeners do.
            throw new IOException($"Mesh:Dns:Port: cannot listen on {endPoint} (UDP and TCP): {ex.Message}.", ex);
        }

        Log.Listening(logger, _server.EndPoint, string.Join(", ", upstreams));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DNS proxy listening on {EndPoint} (UDP and TCP), upstream: {Upstreams}")]
        public static partial void Listening(ILogger logger, IPEndPoint endPoint, string upstreams);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "DNS proxy: no upstream resolver (Mesh:Dns:Upstream is empty and {ResolvConf} names no nameserver); names outside the mesh get SERVFAIL")]
        public static partial void NoUpstream(ILogger logger, string resolvConf);
    }
}
