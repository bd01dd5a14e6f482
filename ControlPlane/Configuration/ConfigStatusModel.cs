namespace Mesh.ControlPlane.Configuration;

/// <summary>What the store serves and what it last refused.</summary>
internal sealed record ConfigStatusModel
{
    public required long Generation { get; init; }

    public required int ObjectCount { get; init; }

    public DateTimeOffset? AcceptedAt { get; init; }

    /// <summary>What produced the serving generation: "startup", "files", "api apply", "api delete".</summary>
    public required string AcceptedFrom { get; init; }

    public string? ConfigDirectory { get; init; }

    /// <summary>False while the config directory holds a change that was rejected (the last good files keep serving).</summary>
    public required bool FilesInSync { get; init; }

    /// <summary>
    /// The most recent rejected change (kept after later changes are accepted: compare its time with
    /// <see cref="AcceptedAt"/>; <see cref="FilesInSync"/> tells whether the directory serves).
    /// </summary>
    public ConfigRejection? LastError { get; init; }
}
