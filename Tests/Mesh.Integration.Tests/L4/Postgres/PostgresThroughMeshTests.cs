using System.Security.Cryptography;
using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Mesh.Integration.Tests.L4.Postgres;

/// <summary>
/// A real TCP protocol through the mesh: Npgsql → the app's sidecar → mesh mTLS (STRICT) → the
/// server's sidecar → PostgreSQL, whose own SSL negotiation (SSLRequest, then TLS with the
/// server's certificate) passes through both sidecars untouched.
/// </summary>
public sealed class PostgresThroughMeshTests(PostgresMesh mesh) : IClassFixture<PostgresMesh>
{
    private const int CopyRows = 100_000;

    [PostgresFact]
    public async Task The_servers_own_ssl_reaches_the_client_with_the_servers_certificate()
    {
        // VerifyFull against the server's self-made certificate: a proxy that terminated or
        // replaced the TLS could not present it.
        await using var connection = new NpgsqlConnection(mesh.ConnectionString(mesh.AppPort, SslMode.VerifyFull) + $";Root Certificate={mesh.Server.CertificatePath}");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.True(reader.GetBoolean(0));
        Assert.StartsWith("TLSv1.", reader.GetString(1), StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Without_ssl_the_server_itself_refuses_the_login()
    {
        // The bytes reach PostgreSQL, and its pg_hba.conf (hostnossl reject) answers, not the mesh.
        await using var connection = new NpgsqlConnection(mesh.ConnectionString(mesh.AppPort, SslMode.Disable));
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
        Assert.Equal(PostgresErrorCodes.InvalidAuthorizationSpecification, error.SqlState);
        Assert.Contains("no encryption", error.MessageText, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task A_client_without_the_mesh_is_refused_by_the_strict_server_sidecar()
    {
        // Straight to the server sidecar's inbound listener, without mesh mTLS: STRICT closes it
        // before PostgreSQL sees anything (a PostgresException would mean the server answered).
        await using var connection = new NpgsqlConnection(mesh.ConnectionString(mesh.ServerSidecar.InboundPort(PostgresMesh.ServicePort), SslMode.Require));
        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.OpenAsync());
        Assert.IsNotType<PostgresException>(error);
    }

    [PostgresFact]
    public async Task Queries_parameters_and_transactions_work_through_the_mesh()
    {
        await using var connection = await OpenAsync();
        await Execute(connection, "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance numeric NOT NULL)");
        for (var i = 1; i <= 3; i++)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO accounts VALUES ($1, $2, $3)", connection)
            {
                Parameters = { new() { Value = i }, new() { Value = $"owner-{i}" }, new() { Value = 100m * i } },
            };
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Execute(connection, "UPDATE accounts SET balance = balance - 50 WHERE id = 1");
            await Execute(connection, "UPDATE accounts SET balance = balance + 50 WHERE id = 2");
            await transaction.CommitAsync();
        }

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Execute(connection, "DELETE FROM accounts");
            await transaction.RollbackAsync();
        }

        await using var select = new NpgsqlCommand("SELECT string_agg(owner || '=' || balance, ',' ORDER BY id) FROM accounts", connection);
        Assert.Equal("owner-1=50,owner-2=250,owner-3=300", await select.ExecuteScalarAsync());
        await Execute(connection, "DROP TABLE accounts");
    }

    [PostgresFact]
    public async Task A_large_copy_goes_in_and_out_without_losing_or_reordering_a_byte()
    {
        await using var connection = await OpenAsync();
        await Execute(connection, "CREATE TABLE copied (id int PRIMARY KEY, payload text NOT NULL)");
        var expected = MD5.Create();
        long bytes = 0;
        await using (var import = await connection.BeginBinaryImportAsync("COPY copied (id, payload) FROM STDIN (FORMAT BINARY)"))
        {
            for (var id = 0; id < CopyRows; id++)
            {
                var payload = Payload(id);
                bytes += payload.Length;
                var utf8 = Encoding.UTF8.GetBytes(payload);
                expected.TransformBlock(utf8, 0, utf8.Length, null, 0);
                await import.StartRowAsync();
                await import.WriteAsync(id, NpgsqlDbType.Integer);
                await import.WriteAsync(payload, NpgsqlDbType.Text);
            }

            Assert.Equal((ulong)CopyRows, await import.CompleteAsync());
        }

        expected.TransformFinalBlock([], 0, 0);
        var digest = Convert.ToHexStringLower(expected.Hash!);
        Assert.True(bytes > 10_000_000, $"the COPY should be large (was {bytes} bytes)");

        // What the server stored, in order.
        await using (var check = new NpgsqlCommand("SELECT count(*), sum(length(payload)), md5(string_agg(payload, '' ORDER BY id)) FROM copied", connection))
        await using (var reader = await check.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(CopyRows, reader.GetInt64(0));
            Assert.Equal(bytes, reader.GetInt64(1));
            Assert.Equal(digest, reader.GetString(2));
        }

        // And back the other way.
        using var exported = MD5.Create();
        var rows = 0;
        await using (var export = await connection.BeginBinaryExportAsync("COPY (SELECT id, payload FROM copied ORDER BY id) TO STDOUT (FORMAT BINARY)"))
        {
            while (await export.StartRowAsync() != -1)
            {
                Assert.Equal(rows, await export.ReadAsync<int>(NpgsqlDbType.Integer));
                var utf8 = Encoding.UTF8.GetBytes(await export.ReadAsync<string>(NpgsqlDbType.Text));
                exported.TransformBlock(utf8, 0, utf8.Length, null, 0);
                rows++;
            }
        }

        exported.TransformFinalBlock([], 0, 0);
        Assert.Equal(CopyRows, rows);
        Assert.Equal(digest, Convert.ToHexStringLower(exported.Hash!));
        await Execute(connection, "DROP TABLE copied");
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(mesh.ConnectionString(mesh.AppPort, SslMode.Require));
        await connection.OpenAsync();
        return connection;
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>About 150 bytes per row, different for every row, so a lost or swapped chunk changes the digest.</summary>
    private static string Payload(int id) =>
        $"row {id:D7} " + Convert.ToHexString(SHA512.HashData(BitConverter.GetBytes(id))) + $" {id * 7919 % 100_003:D6}";
}
