namespace Mesh.Integration.Tests.L4.Postgres;

/// <summary>A fact that needs Debian's PostgreSQL server binaries; skipped with the reason otherwise.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
