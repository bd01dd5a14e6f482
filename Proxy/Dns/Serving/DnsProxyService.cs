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
    private DnsProxyServer? _server6;

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
        var bind = IPAddress.Parse(dns.BindAddress);
        var endPoint = new IPEndPoint(bind, dns.Port);
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
        if (dns.IPv6 && dns.Port != 0 && bind.Equals(IPAddress.Loopback))
        {
            // The ip6tables DNS rules redirect IPv6 queries to [::1]; a host without IPv6 has none to redirect.
            try
            {
                _server6 = DnsProxyServer.Start(new IPEndPoint(IPAddress.IPv6Loopback, dns.Port), answerer.AnswerAsync, logger);
                Log.Listening(logger, _server6.EndPoint, string.Join(", ", upstreams));
            }
            catch (SocketException ex)
            {
                Log.NoIPv6(logger, ex.Message);
            }
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var server in new[] { _server, _server6 })
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "DNS proxy listening on {EndPoint} (UDP and TCP), upstream: {Upstreams}")]
        public static partial void Listening(ILogger logger, IPEndPoint endPoint, string upstreams);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "DNS proxy: no upstream resolver (Mesh:Dns:Upstream is empty and {ResolvConf} names no nameserver); names outside the mesh get SERVFAIL")]
        public static partial void NoUpstream(ILogger logger, string resolvConf);

        [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "DNS proxy: not listening on [::1] ({Reason}); IPv6 queries are not answered here")]
        public static partial void NoIPv6(ILogger logger, string reason);
    }
}
