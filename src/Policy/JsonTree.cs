using System.Text.Json;

namespace Gateway.Policy;

/// <summary>Turns JSON text into the plain-object tree the parser reads.</summary>
internal static class JsonTree
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    public static object? Read(string json, string basePath)
    {
        try
        {
            using var document = JsonDocument.Parse(json, Options);
            return Convert(document.RootElement, basePath);
        }
        catch (JsonException e)
        {
            throw new PolicyParseException(basePath, "invalid JSON: " + e.Message);
        }
    }

    private static object? Convert(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = PolicyTree.Child(path, property.Name);
                    if (!obj.TryAdd(property.Name, Convert(property.Value, childPath)))
                        throw new PolicyParseException(childPath, "duplicate key");
                }
                return obj;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    list.Add(Convert(item, PolicyTree.Index(path, i++)));
                return list;
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out var whole) ? whole : element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
