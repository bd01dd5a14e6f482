using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>
/// One object of the accepted configuration with its bookkeeping: where it came from (a path
/// relative to the config directory, or <see cref="ConfigOrigins.Api"/>), its canonical YAML
/// (what <c>get</c> shows and what decides whether it changed), and the generation and time at
/// which it last changed.
/// </summary>
internal sealed record ConfigEntry(ConfigObject Object, string Source, string Yaml, long Generation, DateTimeOffset UpdatedAt)
{
    public string Key => Object.Key;

    public bool IsFromApi => Source == ConfigOrigins.Api;
}
