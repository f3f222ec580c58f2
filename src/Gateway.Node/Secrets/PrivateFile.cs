namespace Gateway.Node.Secrets;

/// <summary>
/// Writes a secret (a private key) so that it is never readable by others, not even for a moment:
/// the file is created 0600 rather than chmod-ed after the write, in a fresh temporary file (a
/// stale <c>.tmp</c> from an interrupted start would keep its old mode), then renamed into place.
/// </summary>
public static class PrivateFile
{
    public static void WriteAtomically(string path, string content, bool overwrite)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
        }
        File.Move(temporary, path, overwrite);
    }
}
