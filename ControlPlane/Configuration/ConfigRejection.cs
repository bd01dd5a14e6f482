using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// Refused configuration with every error found in it: a refused change (<see cref="Source"/> is
/// what made it: "files", "api apply" ...), or in status one source that is refused now
/// (<see cref="Source"/> is the file, object or record that does not serve).
/// </summary>
internal sealed record ConfigRejection(DateTimeOffset At, string Source, IReadOnlyList<ConfigError> Errors);
