using Mesh.Config.Model;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// What the control plane made of one custom resource: accepted, or invalid with its errors —
/// and then whether an earlier valid generation of it keeps serving.
/// </summary>
internal sealed record CustomResourceVerdict(bool Accepted, IReadOnlyList<ConfigError> Errors, long? ServingGeneration)
{
    public static CustomResourceVerdict Valid { get; } = new(true, [], null);

    public string Message(long generation) => Accepted
        ? $"generation {generation} is valid and applied"
        : string.Join("; ", Errors.Select(e => string.IsNullOrEmpty(e.Path) ? e.Message : $"{e.Path}: {e.Message}"))
            + (ServingGeneration is { } serving ? $" (not applied; generation {serving} keeps serving)" : " (not applied)");
}
