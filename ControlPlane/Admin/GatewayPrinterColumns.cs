using System.Text.Json.Nodes;
using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Snapshots;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// The Gateway CRD's printer columns (what <c>kubectl get gateways</c> shows): CLASS, ADDRESS and
/// PROGRAMMED. Locally ADDRESS names where each listener port is served, since a privileged
/// listener port (80) moves to another local port: <c>127.0.0.1:10080 (port 80)</c>.
/// </summary>
internal static class GatewayPrinterColumns
{
    public static bool Applies(string kind) => kind == ConfigKinds.KubernetesGateway.Id;

    public static Dictionary<string, string>? For(ConfigEntry entry, JsonObject? status)
    {
        if (!Applies(entry.Object.Kind) || entry.Object.Spec is not KubernetesGatewayConfig spec)
        {
            return null;
        }

        var addresses = (status?["addresses"] as JsonArray ?? []).OfType<JsonObject>()
            .Select(a => (Type: a["type"]?.GetValue<string>() ?? "", Value: a["value"]?.GetValue<string>() ?? ""))
            .ToList();
        var listeners = addresses.Where(a => a.Type == GatewayStatusAddress.LocalPortType && a.Value.Contains('=', StringComparison.Ordinal))
            .Select(a => $"{a.Value[(a.Value.IndexOf('=', StringComparison.Ordinal) + 1)..]} (port {a.Value[..a.Value.IndexOf('=', StringComparison.Ordinal)]})")
            .ToList();
        var programmed = (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>()
            .FirstOrDefault(c => c["type"]?.GetValue<string>() == "Programmed")?["status"]?.GetValue<string>();
        return new Dictionary<string, string>
        {
            ["CLASS"] = spec.GatewayClassName ?? "",
            ["ADDRESS"] = listeners.Count > 0 ? string.Join(", ", listeners) : string.Join(", ", addresses.Select(a => a.Value)),
            ["PROGRAMMED"] = programmed ?? "Unknown",
        };
    }
}
