using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace MLNet.Lstm.Orleans.Storage;

/// <summary>Registration of the embedded SQLite grain storage.</summary>
public static class SqliteGrainStorageExtensions
{
    /// <summary>
    /// Adds a grain storage named <paramref name="name"/> kept in the SQLite file at
    /// <paramref name="path"/> (created if missing). Every silo that shares the file shares the
    /// states; a version number per state refuses a write from a stale activation.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The storage's name, as grains' <c>[PersistentState(..., name)]</c> give it.</param>
    /// <param name="path">The SQLite file.</param>
    /// <returns>The builder.</returns>
    /// <example>
    /// <code>
    /// siloBuilder.AddSqliteGrainStorage("lstm-fleet", "/var/lib/fleet/states.db");
    /// </code>
    /// </example>
    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (services, _) => new SqliteGrainStorage(name, full, services.GetRequiredService<Serializer>()));
        return builder;
    }
}
