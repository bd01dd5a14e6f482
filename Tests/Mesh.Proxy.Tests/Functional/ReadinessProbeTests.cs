using Mesh.Proxy.Core.Admin.AppProbes;
using Mesh.Proxy.Core.Configuration;
using Mesh.Proxy.Core.Discovery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Tests.Functional;

/// <summary>
/// A VM sidecar's WorkloadGroup readiness probe (Mesh:ReadinessProbe): not ready until it passes,
/// then failureThreshold failures in a row make it not ready and a pass ready again, each period on
/// the test clock, against a real HTTP app; TCP and exec probes; bad probes refused at start.
/// </summary>
public sealed class ReadinessProbeTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_http_probe_makes_the_workload_ready_and_failure_threshold_failures_make_it_not_ready()
    {
        var healthy = true;
        await using var app = await TestBackend.StartAsync("app", context =>
        {
            context.Response.StatusCode = context.Request.Path == "/health" && Volatile.Read(ref healthy) ? 200 : 503;
            return Task.CompletedTask;
        });
        var clock = new TestClock();
        var state = new AppHealthState();
        var options = Options.Create(new MeshProxyOptions
        {
            Mode = MeshProxyMode.Sidecar,
            AppAddress = "127.0.0.1",
            ReadinessProbe = """{"periodSeconds":1,"failureThreshold":2,"httpGet":{"path":"/health","port":PORT,"httpHeaders":[{"name":"x-probe","value":"vm"}]}}""".Replace("PORT", $"{app.Port}", StringComparison.Ordinal),
        });
        using var checker = new ReadinessProbeChecker(options, state, clock, NullLogger<ReadinessProbeChecker>.Instance);
        await checker.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync("the first probe to pass", () => state.Version == 2);
            Assert.True(state.Ready);
            Assert.Equal("vm", app.Last.Headers["x-probe"]);

            Volatile.Write(ref healthy, false);
            await ProbeOnceAsync(clock, app, "the first failing probe");
            Assert.True(state.Ready); // one failure is below the threshold of 2
            await ProbeOnceAsync(clock, app, "the second failing probe");
            await Poll.UntilAsync("the workload reported not ready", () => !state.Ready);
            Assert.Equal(3, state.Version);
            Assert.Contains("answered 503", state.Reason, StringComparison.Ordinal);

            Volatile.Write(ref healthy, true);
            await ProbeOnceAsync(clock, app, "the passing probe");
            await Poll.UntilAsync("the workload reported ready again", () => state.Ready);
            Assert.Equal(4, state.Version);
        }
        finally
        {
            await checker.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Tcp_and_exec_probes_pass_and_fail_as_the_app_and_the_command_say()
    {
        var clock = new TestClock();
        var closed = await TestBackend.UnusedPortAsync();
        await using var app = await TestBackend.StartAsync("app");

        Assert.Null(await ReadinessProbeChecker.RunAsync(Probe("{\"tcpSocket\":{\"port\":" + app.Port + "}}"), "127.0.0.1", clock, CancellationToken.None));
        Assert.NotNull(await ReadinessProbeChecker.RunAsync(Probe("{\"tcpSocket\":{\"port\":" + closed + "}}"), "127.0.0.1", clock, CancellationToken.None));
        Assert.Null(await ReadinessProbeChecker.RunAsync(Probe("""{"exec":{"command":["sh","-c","exit 0"]}}"""), "127.0.0.1", clock, CancellationToken.None));
        Assert.StartsWith("sh exited with 3: broken",
            await ReadinessProbeChecker.RunAsync(Probe("""{"exec":{"command":["sh","-c","echo broken >&2; exit 3"]}}"""), "127.0.0.1", clock, CancellationToken.None),
            StringComparison.Ordinal);
        Assert.NotNull(await ReadinessProbeChecker.RunAsync(Probe("""{"exec":{"command":["/no/such/command"]}}"""), "127.0.0.1", clock, CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"tcpSocket":{"port":80},"exec":{"command":["true"]}}""", "exactly one of httpGet, tcpSocket or exec (it has 2)")]
    [InlineData("""{"periodSeconds":-1,"tcpSocket":{"port":80}}""", "must not be negative")]
    [InlineData("""{"httpGet":{"port":0}}""", "httpGet needs a port from 1 to 65535")]
    [InlineData("""{"exec":{"command":[]}}""", "exec needs a command")]
    [InlineData("""{"grpc":{"port":80}}""", "is not a readiness probe in JSON")]
    [InlineData("not json", "is not a readiness probe in JSON")]
    public void A_bad_probe_is_refused_at_start_naming_the_setting(string json, string error)
    {
        var result = new MeshProxyOptionsValidator().Validate(null, new MeshProxyOptions { Mode = MeshProxyMode.Sidecar, ReadinessProbe = json });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Mesh:ReadinessProbe", StringComparison.Ordinal) && f.Contains(error, StringComparison.Ordinal));
    }

    /// <summary>
    /// One probe period: moves the clock once, while no probe is in flight, and waits until that
    /// period's probe reached the app and finished. The probe's own timeout (1 s, Istio's default)
    /// is as long as the period: advancing by a period while a probe is in flight would time it out
    /// ("no answer within 1 s" instead of "answered 503"), and advancing twice would run two probes.
    /// </summary>
    private static async Task ProbeOnceAsync(TestClock clock, TestBackend app, string what)
    {
        var before = app.RequestCount;
        await Poll.UntilAsync("only the probe period armed (no probe in flight)", () => clock.ArmedTimers is [var period] && period == Period,
            () => string.Join(", ", clock.ArmedTimers));
        clock.Advance(Period);
        await Poll.UntilAsync($"{what} to reach the app and finish", () => app.RequestCount == before + 1 && clock.ArmedTimers.Count == 1,
            () => $"{app.RequestCount - before} requests; armed timers due in [{string.Join(", ", clock.ArmedTimers)}]");
    }

    private static ReadinessProbeSpec Probe(string json)
    {
        var errors = new List<string>();
        return ReadinessProbeSpec.Parse(json, errors) ?? throw new InvalidOperationException(string.Join("; ", errors));
    }
}
