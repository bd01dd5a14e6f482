namespace Mesh.ControlPlane.Configuration;

/// <summary>What the store serves and which sources it refuses now.</summary>
internal sealed record ConfigStatusModel
{
    /// <summary>False until a configuration was accepted (or restored): nothing is pushed, the control plane is not ready.</summary>
    public required bool Accepted { get; init; }

    public required long Generation { get; init; }

    public required int ObjectCount { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>What produced the serving generation: "startup", "files", "api apply", "api delete", "kubernetes"; "(restored at start)" when read back from the data directory.</summary>
    public required string AcceptedFrom { get; init; }

    public string? ConfigDirectory { get; init; }

    /// <summary>False while the config directory holds a change that was rejected (the last good files keep serving).</summary>
    public required bool FilesInSync { get; init; }

    /// <summary>
    /// Every source refused now, with its errors: files whose current content does not serve,
    /// Kubernetes objects, persisted API objects moved aside. A source leaves the list when it is
    /// fixed or removed. (A refused API request is answered with its errors and is not kept here.)
    /// </summary>
    public required IReadOnlyList<ConfigRejection> Rejected { get; init; }

    /// <summary>
    /// The most recent refused change (a file save, an API request), until a later change is
    /// accepted: what the console shows next to the objects it names.
    /// </summary>
    public ConfigRejection? LastError { get; init; }
}
