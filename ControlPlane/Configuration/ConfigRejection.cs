using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>A change that was refused whole, with every error found in the candidate configuration.</summary>
internal sealed record ConfigRejection(DateTimeOffset At, string Source, IReadOnlyList<ConfigError> Errors);
