using System.Net;
using System.Net.Sockets;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Discovery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// The sidecar's check of its app (Mesh:AppHealthIntervalMs): TCP connects to the app's target
/// ports on 127.0.0.1, each interval on the test clock; readiness flips when the app stops and
/// starts listening, and only a change is news for the discovery stream.
/// </summary>
public sealed class AppHealthTests
{
    // The interval runs on the test clock, but it is also each connect's real-time deadline: long
    // enough that a loopback connect on a loaded machine never reads as "no answer" (at 250 ms it could).
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task The_app_going_away_and_coming_back_flips_readiness_once_each()
    {
        var app = new TcpListener(IPAddress.Loopback, 0);
        app.Start();
        var port = ((IPEndPoint)app.LocalEndpoint).Port;
        var clock = new TestClock();
        var state = new AppHealthState();
        var options = Options.Create(new MeshProxyOptions
        {
            Mode = MeshProxyMode.Sidecar,
            AppAddress = "127.0.0.1",
            AppHealthIntervalMs = (int)Interval.TotalMilliseconds,
            Inbound = [new InboundPortOptions { Name = "http", Port = 9080, TargetPort = port }],
        });
        using var checker = new AppHealthChecker(options, state, clock, NullLogger<AppHealthChecker>.Instance);
        await checker.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync("the first check to find the app up", () => state.Version == 1);
            Assert.True(state.Ready);

            app.Stop();
            await clock.AdvanceUntilAsync("the app reported down", Interval, () => !state.Ready);
            Assert.Equal(2, state.Version);
            Assert.StartsWith($"127.0.0.1:{port}: ConnectionRefused", state.Reason, StringComparison.Ordinal);

            app = new TcpListener(IPAddress.Loopback, port);
            app.Start();
            await clock.AdvanceUntilAsync("the app reported up again", Interval, () => state.Ready);
            Assert.Equal(3, state.Version);
        }
        finally
        {
            await checker.StopAsync(CancellationToken.None);
            app.Stop();
        }
    }

    [Fact]
    public async Task Without_an_interval_the_app_is_not_checked()
    {
        var state = new AppHealthState();
        var options = Options.Create(new MeshProxyOptions { Inbound = [new InboundPortOptions { Name = "http", Port = 9080, TargetPort = 1 }] });
        using var checker = new AppHealthChecker(options, state, new TestClock(), NullLogger<AppHealthChecker>.Instance);

        await checker.StartAsync(CancellationToken.None);
        await checker.ExecuteTask!;

        Assert.Equal(0, state.Version);
        Assert.True(state.Ready);
    }
}
