namespace Mesh.Containers.Tests.Docker;

/// <summary>A fact that runs containers on the local Docker daemon; skipped with the reason when there is none.</summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerEnvironment.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
