using System.Globalization;
using System.Net.Sockets;
using Aspire.Hosting.ApplicationModel;
using Mesh.Testing.Backends;
using Mesh.Testing.Clock;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Mesh.Hosting.Tests;

/// <summary>
/// The mesh programs' readiness check in the AppHost against a real HTTP server on 127.0.0.1: it
/// keeps asking while the program starts (so Aspire's 1–5 s re-check back-off does not delay
/// what waits for it), gives up after the startup window, and after the first success is a
/// single GET. Waits run on the test clock.
/// </summary>
public sealed class MeshReadinessCheckTests
{
    [Fact]
    public async Task A_starting_program_is_reported_ready_at_the_first_poll_that_succeeds()
    {
        var ready = 0;
        await using var program = await TestBackend.StartAsync("sidecar", ctx => Answer(ctx, Volatile.Read(ref ready) == 1));
        var clock = new TestClock();
        var check = new MeshReadinessCheck(AdminEndpoint(program.Port), "/ready", clock);

        var result = check.CheckHealthAsync(new HealthCheckContext());
        for (var poll = 1; poll <= 3; poll++)
        {
            await clock.WaitForTimerAsync($"the wait after 503 number {poll}", MeshReadinessCheck.StartupPollInterval);
            Assert.False(result.IsCompleted);
            if (poll == 3)
            {
                Volatile.Write(ref ready, 1); // ready before the fourth poll
            }

            clock.Advance(MeshReadinessCheck.StartupPollInterval);
        }

        Assert.Equal(HealthStatus.Healthy, (await result).Status);
        Assert.Equal(4, program.RequestCount);
        Assert.All(program.Requests, r => Assert.Equal("/ready", r.Path));
    }

    [Fact]
    public async Task A_program_not_ready_within_the_startup_window_is_unhealthy_with_its_answer()
    {
        await using var program = await TestBackend.StartAsync("sidecar", ctx => Answer(ctx, ready: false));
        var clock = new TestClock();
        var check = new MeshReadinessCheck(AdminEndpoint(program.Port), "/ready", clock);

        var result = check.CheckHealthAsync(new HealthCheckContext());
        var polls = (int)(MeshReadinessCheck.StartupWindow / MeshReadinessCheck.StartupPollInterval);
        for (var poll = 1; poll <= polls; poll++)
        {
            await clock.WaitForTimerAsync($"the wait after 503 number {poll}", MeshReadinessCheck.StartupPollInterval);
            Assert.False(result.IsCompleted);
            clock.Advance(MeshReadinessCheck.StartupPollInterval);
        }

        // The poll at the end of the window is the last: no further wait is armed.
        var report = await result;
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal(polls + 1, program.RequestCount);
        Assert.Contains("answered 503", report.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_the_first_success_a_check_is_one_request()
    {
        var ready = 1;
        await using var program = await TestBackend.StartAsync("sidecar", ctx => Answer(ctx, Volatile.Read(ref ready) == 1));
        var check = new MeshReadinessCheck(AdminEndpoint(program.Port), "/ready", new TestClock());
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);

        // Lost its control plane, say: the dashboard shows it at once, not after the startup window.
        Volatile.Write(ref ready, 0);
        Assert.Equal(HealthStatus.Unhealthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.Equal(2, program.RequestCount);
    }

    [Fact]
    public async Task A_program_that_is_not_listening_yet_is_polled_too()
    {
        var port = await TestBackend.UnusedPortAsync();
        var clock = new TestClock();
        var check = new MeshReadinessCheck(AdminEndpoint(port), "/ready", clock);

        var result = check.CheckHealthAsync(new HealthCheckContext());
        await clock.WaitForTimerAsync("the wait after a refused connection", MeshReadinessCheck.StartupPollInterval);
        await using var program = await TestBackend.StartAsync("sidecar", ctx => Answer(ctx, ready: true), port: port);
        clock.Advance(MeshReadinessCheck.StartupPollInterval);

        Assert.Equal(HealthStatus.Healthy, (await result).Status);
    }

    private static Task Answer(HttpContext context, bool ready)
    {
        context.Response.StatusCode = ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;
        return Task.CompletedTask;
    }

    private static EndpointReference AdminEndpoint(int port)
    {
        var program = new ExecutableResource("sidecar", "dotnet", ".");
        var admin = new EndpointAnnotation(ProtocolType.Tcp, uriScheme: "http", name: "admin", isProxied: false);
        program.Annotations.Add(admin);
        admin.AllocatedEndpoint = new AllocatedEndpoint(admin, "127.0.0.1", port, targetPortExpression: port.ToString(CultureInfo.InvariantCulture));
        return new EndpointReference(program, admin);
    }
}
