using System.Globalization;
using Azure.Data.Tables;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// Stores a JSON document (run state, contact, definition) in binary properties of one entity. A property holds at
/// most 64 KiB, so a larger document is split across <c>Data</c>, <c>Data1</c>, <c>Data2</c> ... of the same row: it
/// stays one atomic, ETag-guarded write. Beyond <see cref="MaxBytes"/> (the 1 MiB entity limit less room for the
/// other columns) the write is refused with <see cref="StorageLimitException"/>.
/// </summary>
public static class TablePayload
{
    public const int ChunkBytes = 64_000;

    public const int MaxChunks = 15;

    public const int MaxBytes = ChunkBytes * MaxChunks;

    private const string Name = "Data";

    private const string CountName = "DataChunks";

    /// <summary>
    /// Stores <paramref name="utf8"/>; a document that fits one column is stored as the very array given (no copy), so
    /// the caller must not change it afterwards.
    /// </summary>
    public static void Write(TableEntity entity, byte[] utf8, string what)
    {
        ArgumentNullException.ThrowIfNull(entity);
        ArgumentNullException.ThrowIfNull(utf8);
        if (utf8.Length <= ChunkBytes)
        {
            entity[Name] = utf8;
            entity[CountName] = 1;
            return;
        }

        Write(entity, utf8.AsSpan(), what);
    }

    public static void Write(TableEntity entity, ReadOnlySpan<byte> utf8, string what)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (utf8.Length > MaxBytes)
        {
            throw new StorageLimitException(
                $"{what} is {utf8.Length} bytes of JSON, over the {MaxBytes}-byte limit of one table row (Azure Table Storage allows 1 MiB per entity). Keep large data (cart contents, event payloads) small or by reference.");
        }

        var chunks = Math.Max(1, (utf8.Length + ChunkBytes - 1) / ChunkBytes);
        for (var i = 0; i < chunks; i++)
        {
            var start = i * ChunkBytes;
            var length = Math.Min(ChunkBytes, utf8.Length - start);
            entity[ChunkName(i)] = utf8.Slice(start, length).ToArray();
        }

        entity[CountName] = chunks;
    }

    /// <summary>The stored document; for one column the array the row holds (not a copy): do not change it.</summary>
    public static byte[] Read(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var chunks = entity.GetInt32(CountName) ?? 1;
        if (chunks == 1)
        {
            return entity.GetBinary(Name) ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} has no {Name} column.");
        }

        var parts = new byte[chunks][];
        var length = 0;
        for (var i = 0; i < chunks; i++)
        {
            parts[i] = entity.GetBinary(ChunkName(i)) ?? throw new InvalidDataException($"Row {entity.PartitionKey}/{entity.RowKey} misses chunk {i} of {chunks}.");
            length += parts[i].Length;
        }

        // One array of the exact size (a MemoryStream would grow by doubling and copy once more at the end).
        var document = new byte[length];
        var offset = 0;
        foreach (var part in parts)
        {
            part.CopyTo(document, offset);
            offset += part.Length;
        }

        return document;
    }

    private static string ChunkName(int index) => index == 0 ? Name : Name + index.ToString(CultureInfo.InvariantCulture);
}
