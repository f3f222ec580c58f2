using System.Globalization;

namespace Gateway.Policy;

/// <summary>
/// Helpers over the generic tree the parser accepts: dictionaries, lists, strings, bools, numbers.
/// Kept in one place so every type error reads the same way.
/// </summary>
internal static class PolicyTree
{
    public static string Describe(object? value) => value switch
    {
        null => "null",
        string => "string",
        bool => "bool",
        IReadOnlyDictionary<string, object?> => "object",
        IReadOnlyList<object?> => "list",
        _ when IsNumber(value) => "number",
        _ => value.GetType().Name,
    };

    public static bool IsNumber(object? value) =>
        value is long or int or double or float or decimal or short or byte or uint or ulong or sbyte or ushort;

    public static string Child(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public static string Index(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    public static PolicyParseException TypeError(string path, string expected, object? got) =>
        new(path, $"expected {expected}, got {Describe(got)}");

    public static string RequireString(object? value, string path) =>
        value as string ?? throw TypeError(path, "a string", value);

    /// <summary>
    /// A scalar as the string it is compared with. Claims arrive as strings, so a policy
    /// literal <c>true</c> or <c>42</c> must compare equal to "true" / "42".
    /// </summary>
    public static string ScalarAsString(object? value, string path) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("R", CultureInfo.InvariantCulture),
        IFormattable n when IsNumber(value) => n.ToString(null, CultureInfo.InvariantCulture),
        _ => throw TypeError(path, "a string, bool or number", value),
    };

    /// <summary>One string or a list of strings, as used by source_ip, ssh_publickey and ssh_ca.</summary>
    public static List<(string Value, string Path)> StringOrList(object? value, string path)
    {
        var result = new List<(string, string)>();
        switch (value)
        {
            case string s:
                result.Add((s, path));
                break;
            case IReadOnlyList<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    var itemPath = Index(path, i);
                    result.Add((RequireString(list[i], itemPath), itemPath));
                }
                break;
            default:
                throw TypeError(path, "a string or a list of strings", value);
        }
        return result;
    }
}
