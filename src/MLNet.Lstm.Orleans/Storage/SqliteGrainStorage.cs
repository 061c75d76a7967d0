using Microsoft.Data.Sqlite;
using Orleans.Serialization;
using Orleans.Storage;

namespace MLNet.Lstm.Orleans.Storage;

/// <summary>
/// Orleans grain storage in one SQLite file: a row per (state, grain), its ETag a version number
/// compared on every write, so that two activations of one grain cannot overwrite each other
/// (the loser gets Orleans' <see cref="InconsistentStateException"/>). States are written with
/// Orleans' own serializer. WAL journaling lets the silos of one machine share the file.
/// </summary>
internal sealed class SqliteGrainStorage(string name, string path, Serializer serializer) : IGrainStorage
{
    private readonly string _connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
    private readonly Lock _gate = new();
    private Task? _created;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await using var connection = await Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT version, data FROM grain_state WHERE state_name = $state AND grain_id = $grain";
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            await using var reader = await command.ExecuteReaderAsync();
            if (!await reader.ReadAsync())
            {
                grainState.State = Activator.CreateInstance<T>();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }
            long version = reader.GetInt64(0);
            grainState.State = serializer.Deserialize<T>((byte[])reader.GetValue(1));
            grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch (SqliteException e)
        {
            throw Unavailable($"reading the state '{stateName}' of {grainId}", e);
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            byte[] data = serializer.SerializeToArray(grainState.State);
            await using var connection = await Open();
            await using var command = connection.CreateCommand();
            long version;
            if (grainState.ETag is null)
            {
                version = 1;
                command.CommandText = "INSERT INTO grain_state (state_name, grain_id, version, data) VALUES ($state, $grain, 1, $data) ON CONFLICT DO NOTHING";
            }
            else
            {
                long current = long.Parse(grainState.ETag, System.Globalization.CultureInfo.InvariantCulture);
                version = current + 1;
                command.CommandText = "UPDATE grain_state SET version = $next, data = $data WHERE state_name = $state AND grain_id = $grain AND version = $current";
                command.Parameters.AddWithValue("$current", current);
                command.Parameters.AddWithValue("$next", version);
            }
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            command.Parameters.AddWithValue("$data", data);
            if (await command.ExecuteNonQueryAsync() != 1)
            {
                throw new InconsistentStateException(
                    $"SQLite grain storage '{name}' ({path}): the state '{stateName}' of {grainId} was written by another activation since this one read it (expected version {grainState.ETag ?? "none"}).",
                    null, grainState.ETag);
            }
            grainState.ETag = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch (SqliteException e)
        {
            throw Unavailable($"writing the state '{stateName}' of {grainId}", e);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await using var connection = await Open();
            await using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM grain_state WHERE state_name = $state AND grain_id = $grain";
            command.Parameters.AddWithValue("$state", stateName);
            command.Parameters.AddWithValue("$grain", grainId.ToString());
            await command.ExecuteNonQueryAsync();
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        catch (SqliteException e)
        {
            throw Unavailable($"clearing the state '{stateName}' of {grainId}", e);
        }
    }

    private async Task<SqliteConnection> Open()
    {
        await Created();
        var connection = new SqliteConnection(_connection);
        try
        {
            await connection.OpenAsync();
        }
        catch (SqliteException e)
        {
            await connection.DisposeAsync();
            throw Unavailable("opening it", e);
        }
        return connection;
    }

    // Made again after a failure (a missing directory, a locked file): a blip must not fail the silo for good.
    private Task Created()
    {
        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = Create();
            }
            return _created;
        }
    }

    private IOException Unavailable(string doing, SqliteException e) =>
        new(System.FormattableString.Invariant($"SQLite grain storage '{name}' at '{path}': {doing} failed: {e.Message}{(Directory.Exists(path) ? " (the path is a directory)" : !Directory.Exists(Path.GetDirectoryName(path)) ? " (its directory does not exist)" : "")}."), e);

    private async Task Create()
    {
        try
        {
            await CreateTable();
        }
        catch (SqliteException e)
        {
            throw Unavailable("creating its table", e);
        }
    }

    private async Task CreateTable()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS grain_state (
                state_name TEXT NOT NULL,
                grain_id TEXT NOT NULL,
                version INTEGER NOT NULL,
                data BLOB NOT NULL,
                PRIMARY KEY (state_name, grain_id));
            """;
        await command.ExecuteNonQueryAsync();
    }
}
