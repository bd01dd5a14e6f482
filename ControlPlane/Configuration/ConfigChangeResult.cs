using Mesh.Config.Model;

namespace Mesh.ControlPlane.Configuration;

/// <summary>What happened to a requested change.</summary>
internal enum ConfigChangeOutcome
{
    /// <summary>Accepted: a new generation serves.</summary>
    Accepted,

    /// <summary>Valid but identical to what already serves: the generation did not move.</summary>
    Unchanged,

    /// <summary>The candidate configuration has errors; nothing changed.</summary>
    Invalid,

    /// <summary>The request conflicts with the store (e.g. deleting a file-defined object); nothing changed.</summary>
    Conflict,

    /// <summary>An object to delete does not exist; nothing changed.</summary>
    NotFound,
}

/// <summary>The result of an apply, delete or file change.</summary>
internal sealed record ConfigChangeResult(ConfigChangeOutcome Outcome, long Generation, IReadOnlyList<string> Keys, IReadOnlyList<ConfigError> Errors, string Message)
{
    public bool Succeeded => Outcome is ConfigChangeOutcome.Accepted or ConfigChangeOutcome.Unchanged;
}
