using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace Mesh.Hosting.Kubernetes;

/// <summary>CPU and memory requests and limits of one kind of container (quantities as Kubernetes writes them: "100m", "128Mi").</summary>
internal sealed record KubernetesResourceSettings(string? CpuRequest, string? MemoryRequest, string? CpuLimit, string? MemoryLimit)
{
    /// <summary>Applies <c>Requests:Cpu</c>, <c>Requests:Memory</c>, <c>Limits:Cpu</c>, <c>Limits:Memory</c> from configuration ("" removes one).</summary>
    public KubernetesResourceSettings Override(IConfigurationSection section) => new(
        Quantity(section, "Requests:Cpu") ?? CpuRequest,
        Quantity(section, "Requests:Memory") ?? MemoryRequest,
        Quantity(section, "Limits:Cpu") ?? CpuLimit,
        Quantity(section, "Limits:Memory") ?? MemoryLimit);

    public V1ResourceRequirements ToRequirements() => new()
    {
        Requests = Map(("cpu", CpuRequest), ("memory", MemoryRequest)),
        Limits = Map(("cpu", CpuLimit), ("memory", MemoryLimit)),
    };

    private static Dictionary<string, ResourceQuantity>? Map(params (string Name, string? Value)[] entries)
    {
        var map = entries.Where(e => !string.IsNullOrEmpty(e.Value)).ToDictionary(e => e.Name, e => new ResourceQuantity(e.Value), StringComparer.Ordinal);
        return map.Count == 0 ? null : map;
    }

    private static string? Quantity(IConfigurationSection section, string key)
    {
        var text = section[key];
        if (text is null)
        {
            return null;
        }

        text = text.Trim();
        if (text.Length > 0)
        {
            try
            {
                _ = new ResourceQuantity(text).ToString();
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
            {
                throw new InvalidOperationException($"{section.Path}:{key} is not a Kubernetes quantity (got '{text}')", ex);
            }
        }

        return text;
    }
}
