using System.Runtime.InteropServices;

namespace Hotmess.Recovery.Common;

/// <summary>The owner of a file on Unix, which .NET does not expose; read through the runtime's own stat shim.</summary>
internal static class UnixFileOwner
{
    /// <summary>The numeric owner of <paramref name="path"/>, or null where it cannot be told (Windows, or no shim).</summary>
    public static uint? Of(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            return Stat(path, out var status) == 0 ? status.Uid : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The effective user of this process.</summary>
    public static uint Current => GetEffectiveUserId();

    // On Unix a string parameter travels as UTF-8.
    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern int Stat([MarshalAs(UnmanagedType.LPStr)] string path, out FileStatus status);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    // The leading fields of the runtime's FileStatus (Flags, Mode, Uid, Gid); the rest is room for what follows.
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct FileStatus
    {
        [FieldOffset(8)]
        public uint Uid;
    }
}
