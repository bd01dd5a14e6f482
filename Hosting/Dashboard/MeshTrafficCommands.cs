using System.Globalization;
using System.Text.Json.Nodes;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Mesh.Hosting.ApplicationModel;

namespace Mesh.Hosting.Dashboard;

/// <summary>
/// Traffic control from the Aspire dashboard: commands on each meshed workload (shift traffic to
/// its version, inject a fault into its service, set its mTLS mode, reset) and on the control
/// plane (mesh-wide mTLS). Each command applies Istio configuration through the control plane's
/// admin API, so <c>meshctl get</c> shows exactly what it did, and refreshes the routing summary
/// in the resources' properties (<see cref="MeshRoutingProperties"/>).
/// </summary>
internal static class MeshTrafficCommands
{
    public const string SendAllTraffic = "mesh-send-all-traffic";
    public const string ShiftTraffic = "mesh-shift-traffic";
    public const string InjectFault = "mesh-inject-fault";
    public const string SetMtls = "mesh-set-mtls";
    public const string Reset = "mesh-reset";

    private static readonly string[] PercentPresets = ["10", "20", "50", "80", "100"];
    private static readonly string[] MtlsModes = ["STRICT", "PERMISSIVE", "DISABLE", "UNSET"];

    public static void AddTo(IResourceBuilder<ProjectResource> builder, MeshWorkload workload)
    {
        var name = $"{workload.AppLabel} → {workload.Version}";
        builder.WithCommand(SendAllTraffic, $"Send all {workload.AppLabel} traffic to {workload.Version}",
            context => RunAsync(context, workload, (api, ct) => ShiftAsync(api, workload, 100, ct)),
            new CommandOptions
            {
                Description = $"Applies a VirtualService {workload.AppLabel} that routes every request to {workload.Version} (and a DestinationRule with a subset per version if there is none).",
                IconName = "ArrowRouting",
                UpdateState = _ => VersionsOf(workload).Count > 1 ? ResourceCommandState.Enabled : ResourceCommandState.Hidden,
            });
        builder.WithCommand(ShiftTraffic, $"Shift {workload.AppLabel} traffic to {workload.Version}…",
            context => RunAsync(context, workload, async (api, ct) =>
            {
                var percent = ParsePercent(context.Arguments?.GetString("percent"));
                return percent is null
                    ? CommandResults.Failure("percent must be a whole number from 0 to 100")
                    : await ShiftAsync(api, workload, percent.Value, ct);
            }),
            new CommandOptions
            {
                Description = $"Gives {workload.Version} a share of {workload.AppLabel}'s traffic; the other versions keep their proportions of the rest (Istio's traffic-shifting task).",
                IconName = "ArrowSplit",
                UpdateState = _ => VersionsOf(workload).Count > 1 ? ResourceCommandState.Enabled : ResourceCommandState.Hidden,
                Arguments =
                [
                    new InteractionInput
                    {
                        Name = "percent",
                        Label = $"Share of traffic for {name} (%)",
                        InputType = InputType.Choice,
                        Options = [.. PercentPresets.Select(p => KeyValuePair.Create(p, $"{p}%"))],
                        AllowCustomChoice = true,
                        Required = true,
                        Value = "50",
                    },
                ],
            });
        builder.WithCommand(InjectFault, $"Inject a fault into {workload.AppLabel}…",
            context => RunAsync(context, workload, (api, ct) => InjectFaultAsync(api, workload, context.Arguments, ct)),
            new CommandOptions
            {
                Description = $"Sets Istio fault injection (a fixed delay or an HTTP abort) on every request to {workload.AppLabel}, or removes it.",
                IconName = "Bug",
                Arguments =
                [
                    new InteractionInput
                    {
                        Name = "fault", Label = "Fault", InputType = InputType.Choice, Required = true, Value = "delay",
                        Options = [KeyValuePair.Create("delay", "Delay"), KeyValuePair.Create("abort", "Abort (HTTP error)"), KeyValuePair.Create("none", "None (remove)")],
                    },
                    new InteractionInput { Name = "percentage", Label = "Requests affected (%)", InputType = InputType.Number, Value = "100" },
                    new InteractionInput { Name = "delaySeconds", Label = "Delay (seconds)", InputType = InputType.Number, Value = "7" },
                    new InteractionInput { Name = "httpStatus", Label = "Abort status", InputType = InputType.Number, Value = "500" },
                ],
            });
        builder.WithCommand(SetMtls, $"Set mTLS for {workload.AppLabel}…",
            context => RunAsync(context, workload, (api, ct) =>
                SetMtlsAsync(api, workload.AppLabel, NamespaceOf(workload), workload.AppLabel, context.Arguments?.GetString("mode"), ct)),
            new CommandOptions
            {
                Description = $"Applies a PeerAuthentication {workload.AppLabel} selecting app={workload.AppLabel}: what its sidecars accept inbound (UNSET removes it).",
                IconName = "LockClosed",
                Arguments = [MtlsModeInput()],
            });
        builder.WithCommand(Reset, $"Reset {workload.AppLabel} to its configured state",
            context => RunAsync(context, workload, (api, ct) => ResetAsync(api, workload, ct)),
            new CommandOptions
            {
                Description = $"Deletes what the dashboard applied for {workload.AppLabel} (its VirtualService, DestinationRule and PeerAuthentication); configuration applied otherwise stays.",
                IconName = "ArrowReset",
                ConfirmationMessage = $"Delete the routing, faults and mTLS settings the dashboard applied for {workload.AppLabel}?",
            });
    }

    /// <summary>Mesh-wide mTLS on the control plane resource: PeerAuthentication "default" in the root namespace.</summary>
    public static void AddTo(IResourceBuilder<MeshControlPlaneResource> builder)
    {
        var controlPlane = builder.Resource;
        builder.WithCommand(SetMtls, "Set mesh-wide mTLS…",
            async context =>
            {
                using var api = new MeshAdminApi(controlPlane);
                var result = await SetMtlsAsync(api, "default", RootNamespace, null, context.Arguments?.GetString("mode"), context.CancellationToken);
                await MeshRoutingProperties.RefreshAsync(context.Services, controlPlane, context.CancellationToken);
                return result;
            },
            new CommandOptions
            {
                Description = $"Applies PeerAuthentication default in {RootNamespace} (the mesh-wide policy, as in Istio's mTLS migration task); UNSET removes it.",
                IconName = "LockClosed",
                Arguments = [MtlsModeInput()],
            });
    }

    /// <summary>The namespace Istio reads mesh-wide policies from (the control plane's default).</summary>
    internal const string RootNamespace = "istio-system";

    internal static IReadOnlyList<string> VersionsOf(MeshWorkload workload) =>
        [.. workload.ControlPlane.Workloads
            .Where(w => w.AppLabel == workload.AppLabel && NamespaceOf(w) == NamespaceOf(workload))
            .Select(w => w.Version)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    internal static string NamespaceOf(MeshWorkload workload) => workload.Namespace ?? workload.ControlPlane.Namespace;

    private static InteractionInput MtlsModeInput() => new()
    {
        Name = "mode",
        Label = "Mode",
        InputType = InputType.Choice,
        Required = true,
        Value = "STRICT",
        Options = [.. MtlsModes.Select(m => KeyValuePair.Create(m, m))],
    };

    private static async Task<ExecuteCommandResult> RunAsync(
        ExecuteCommandContext context, MeshWorkload workload, Func<MeshAdminApi, CancellationToken, Task<ExecuteCommandResult>> command)
    {
        using var api = new MeshAdminApi(workload.ControlPlane);
        try
        {
            var result = await command(api, context.CancellationToken);
            await MeshRoutingProperties.RefreshAsync(context.Services, workload.ControlPlane, context.CancellationToken);
            return result;
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return CommandResults.Failure($"the control plane did not answer: {e.Message}");
        }
    }

    private static async Task<ExecuteCommandResult> ShiftAsync(MeshAdminApi api, MeshWorkload workload, int percent, CancellationToken cancellationToken)
    {
        var versions = VersionsOf(workload);
        var routing = await ServiceRouting.ReadAsync(api, workload.AppLabel, NamespaceOf(workload), versions, cancellationToken);
        if (routing.WhyNotEditable() is { } why)
        {
            return CommandResults.Failure(why);
        }

        var subsets = await EnsureSubsetsAsync(api, routing, cancellationToken);
        if (subsets.Error is not null)
        {
            return CommandResults.Failure(subsets.Error);
        }

        var weights = TrafficWeights.Shift(routing.CurrentWeights(), versions, workload.Version, percent);
        var virtualService = DashboardConfig.VirtualService(
            workload.AppLabel, routing.Namespace, [.. weights.Select(w => ((string?)subsets.ByVersion[w.Version], (int?)w.Weight))], routing.CurrentFault());
        var split = string.Join(" · ", weights.Select(w => $"{w.Version} {w.Weight}%"));
        return await ApplyAsync(api, virtualService, $"{workload.AppLabel}: {split}", cancellationToken);
    }

    /// <summary>The subset of every version: the DestinationRule's, or one the dashboard applies when there is none.</summary>
    private static async Task<(IReadOnlyDictionary<string, string> ByVersion, string? Error)> EnsureSubsetsAsync(
        MeshAdminApi api, ServiceRouting routing, CancellationToken cancellationToken)
    {
        var missing = routing.Versions.Where(v => routing.SubsetOf(v) is null).ToList();
        if (missing.Count == 0)
        {
            return (routing.Versions.ToDictionary(v => v, v => routing.SubsetOf(v)!), null);
        }

        if (routing.DestinationRule is { } rule && !DashboardConfig.IsAppliedByDashboard(rule))
        {
            var name = rule["metadata"]?["name"].Text();
            return (new Dictionary<string, string>(), $"DestinationRule {routing.Namespace}/{name} for {routing.Service} has no subset for {string.Join(", ", missing)} (labels version: …); add it, or delete the rule");
        }

        var applied = await api.ApplyAsync(DashboardConfig.DestinationRule(routing.Service, routing.Namespace, routing.Versions).ToJsonString(), cancellationToken);
        return applied.Succeeded
            ? (routing.Versions.ToDictionary(v => v, v => v), null)
            : (new Dictionary<string, string>(), $"the control plane refused the DestinationRule: {applied.Message}");
    }

    private static async Task<ExecuteCommandResult> InjectFaultAsync(MeshAdminApi api, MeshWorkload workload, InteractionInputCollection? arguments, CancellationToken cancellationToken)
    {
        var kind = arguments?.GetString("fault") ?? "delay";
        var percentage = ParseNumber(arguments?.GetString("percentage"), 100);
        var seconds = ParseNumber(arguments?.GetString("delaySeconds"), 7);
        var status = ParseNumber(arguments?.GetString("httpStatus"), 500);
        if (kind is not ("delay" or "abort" or "none") || percentage is null or < 0 or > 100 || seconds is null or < 0 || status is null or < 200 or > 599)
        {
            return CommandResults.Failure("fault is delay, abort or none; requests affected 0–100 %; delay ≥ 0 s; abort status 200–599");
        }

        var routing = await ServiceRouting.ReadAsync(api, workload.AppLabel, NamespaceOf(workload), VersionsOf(workload), cancellationToken);
        if (routing.WhyNotEditable() is { } why)
        {
            return CommandResults.Failure(why);
        }

        var fault = kind == "none" ? null : DashboardConfig.Fault(kind, percentage.Value, (int)seconds.Value, (int)status.Value);
        var virtualService = DashboardConfig.VirtualService(workload.AppLabel, routing.Namespace, routing.CurrentRoutes(), fault);
        var what = kind switch
        {
            "delay" => $"{seconds} s delay on {percentage}% of requests",
            "abort" => $"HTTP {status} on {percentage}% of requests",
            _ => "no fault",
        };
        return await ApplyAsync(api, virtualService, $"{workload.AppLabel}: {what}", cancellationToken);
    }

    private static async Task<ExecuteCommandResult> SetMtlsAsync(
        MeshAdminApi api, string name, string @namespace, string? app, string? mode, CancellationToken cancellationToken)
    {
        if (mode is null || !MtlsModes.Contains(mode))
        {
            return CommandResults.Failure($"mode is one of {string.Join(", ", MtlsModes)}");
        }

        var existing = await api.GetAsync("peerauthentication", @namespace, name, cancellationToken);
        if (existing is not null && !DashboardConfig.IsAppliedByDashboard(existing))
        {
            return CommandResults.Failure($"PeerAuthentication {@namespace}/{name} was not applied by the dashboard; change it with meshctl");
        }

        if (mode == "UNSET")
        {
            if (existing is null)
            {
                return CommandResults.Success($"no PeerAuthentication {@namespace}/{name} to remove");
            }

            var deleted = await api.DeleteAsync("peerauthentication", @namespace, name, cancellationToken);
            return deleted.Succeeded ? CommandResults.Success($"removed PeerAuthentication {@namespace}/{name}") : CommandResults.Failure(deleted.Message);
        }

        return await ApplyAsync(api, DashboardConfig.PeerAuthentication(name, @namespace, app, mode), $"PeerAuthentication {@namespace}/{name}: {mode}", cancellationToken);
    }

    private static async Task<ExecuteCommandResult> ResetAsync(MeshAdminApi api, MeshWorkload workload, CancellationToken cancellationToken)
    {
        var routing = await ServiceRouting.ReadAsync(api, workload.AppLabel, NamespaceOf(workload), VersionsOf(workload), cancellationToken);
        var removed = new List<string>();
        var kept = new List<string>();
        foreach (var (kind, configObject) in new[] { ("VirtualService", routing.VirtualService), ("DestinationRule", routing.DestinationRule), ("PeerAuthentication", routing.PeerAuthentication) })
        {
            if (configObject is null)
            {
                continue;
            }

            var name = configObject["metadata"]?["name"].Text()!;
            if (!DashboardConfig.IsAppliedByDashboard(configObject))
            {
                kept.Add($"{kind} {name}");
                continue;
            }

            var deleted = await api.DeleteAsync(kind.ToLowerInvariant(), routing.Namespace, name, cancellationToken);
            if (!deleted.Succeeded)
            {
                return CommandResults.Failure($"deleting {kind} {routing.Namespace}/{name}: {deleted.Message}");
            }

            removed.Add($"{kind} {name}");
        }

        var message = removed.Count == 0 ? "nothing the dashboard applied" : $"removed {string.Join(", ", removed)}";
        return CommandResults.Success(kept.Count == 0 ? message : $"{message}; kept (not applied by the dashboard) {string.Join(", ", kept)}");
    }

    private static async Task<ExecuteCommandResult> ApplyAsync(MeshAdminApi api, JsonObject configObject, string done, CancellationToken cancellationToken)
    {
        var applied = await api.ApplyAsync(configObject.ToJsonString(), cancellationToken);
        return applied.Succeeded
            ? CommandResults.Success($"{done} (config generation {applied.Generation})")
            : CommandResults.Failure($"the control plane refused it: {applied.Message}");
    }

    private static int? ParsePercent(string? text) =>
        int.TryParse(text?.TrimEnd('%'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var percent) && percent is >= 0 and <= 100 ? percent : null;

    private static double? ParseNumber(string? text, double fallback) =>
        string.IsNullOrWhiteSpace(text) ? fallback
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
}
