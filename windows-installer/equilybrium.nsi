; Equilybrium per-user installer (no admin rights): %LOCALAPPDATA%\Programs\Equilybrium.
; Built by `pnpm build:win` (tools/build-win.ts) with Debian's makensis:
;   makensis -WX -DVERSION=1.0.0 -DEXE=dist/equilybrium.exe -DICON=dist/equilybrium.ico
;            -DOUTFILE=dist/equilybrium-setup-1.0.0.exe windows-installer/equilybrium.nsi
; Silent:  equilybrium-setup-1.0.0.exe /S /CONFIGDIR=D:\Sync\Equilybrium [/D=C:\Apps\Equilybrium]
; The exe does the real work (starter config: `init`, task: `schedule install|remove`), so
; this script stays thin and the logic is tested TypeScript. Per-user installers write only
; to HKCU and the user's profile (NSIS Examples/install-per-user.nsi).

Unicode True
Target amd64-unicode            ; 64-bit: native System32, and testable with wine64 alone

!ifndef VERSION
  !error "define VERSION (-DVERSION=1.2.3)"
!endif
!ifndef EXE
  !error "define EXE, the built equilybrium.exe"
!endif
!ifndef OUTFILE
  !define OUTFILE "equilybrium-setup-${VERSION}.exe"
!endif

!define APPNAME   "Equilybrium"
!define APPEXE    "equilybrium.exe"
!define TASKEXE   "equilybrium-windowless.exe"   ; written by `schedule install`
!define CONFIG    "equilybrium.config.ini"
!define REPORT    "equilybrium.report.txt"
!define COMPANY   "Equilybrium project"
!define APPKEY    "Software\${APPNAME}"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user      ; manifest asInvoker: no UAC prompt
InstallDir ""                   ; set in .onInit, so /D= and a previous install win
InstallDirRegKey HKCU "${APPKEY}" "InstallDir"
SetCompressor /SOLID lzma
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "CompanyName" "${COMPANY}"
VIAddVersionKey "FileDescription" "${APPNAME} setup"
VIAddVersionKey "LegalCopyright" "${COMPANY}"

!include MUI2.nsh
!include LogicLib.nsh
!include WinCore.nsh            ; FOLDERID_UserProgramFiles
!include FileFunc.nsh           ; GetParameters, GetOptions, GetSize

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif

Var ConfigDir

; ---- pages ---------------------------------------------------------------------------
!insertmacro MUI_PAGE_DIRECTORY
!define MUI_PAGE_HEADER_TEXT "Configuration folder"
!define MUI_PAGE_HEADER_SUBTEXT "Where Equilybrium keeps its configuration, databases and report."
!define MUI_DIRECTORYPAGE_TEXT_TOP "Choose the folder your sync tool mirrors to the NAS, so both machines share the configuration and see each other's database. A starter configuration is written there if none exists. Uninstalling never deletes this folder."
!define MUI_DIRECTORYPAGE_TEXT_DESTINATION "Configuration folder"
!define MUI_DIRECTORYPAGE_VARIABLE $ConfigDir
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetShellVarContext current
  ${If} $InstDir == ""                                  ; no /D= and no earlier install
    GetKnownFolderPath $InstDir ${FOLDERID_UserProgramFiles}  ; %LOCALAPPDATA%\Programs
    ${If} $InstDir == ""
      StrCpy $InstDir "$LocalAppData\Programs"
    ${EndIf}
    StrCpy $InstDir "$InstDir\${APPNAME}"
  ${EndIf}
  ReadRegStr $ConfigDir HKCU "${APPKEY}" "ConfigDir"    ; a reinstall keeps the same folder
  ${If} $ConfigDir == ""
    StrCpy $ConfigDir "$Documents\${APPNAME}"
  ${EndIf}
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIGDIR=" $R1
  ${IfNot} ${Errors}
  ${AndIf} $R1 != ""
    StrCpy $ConfigDir $R1
  ${EndIf}
FunctionEnd

; "D:\" as the last argument would end in \" and swallow its closing quote: use "D:\."
Function QuotableConfigDir
  StrCpy $R2 $ConfigDir 1 -1
  ${If} $R2 == "\"
    StrCpy $ConfigDir "$ConfigDir."
  ${EndIf}
FunctionEnd

Section "Install"
  SetOutPath "$InstDir"
  File "/oname=${APPEXE}" "${EXE}"
  WriteUninstaller "$InstDir\Uninstall.exe"

  Call QuotableConfigDir
  CreateDirectory "$ConfigDir"
  ${IfNot} ${FileExists} "$ConfigDir\${CONFIG}"
    nsExec::ExecToLog '"$InstDir\${APPEXE}" init --role A --config "$ConfigDir"'
    Pop $0
    ${If} $0 != 0
      MessageBox MB_ICONEXCLAMATION|MB_OK "Could not write a starter configuration in $ConfigDir (exit code $0)." /SD IDOK
    ${EndIf}
  ${Else}
    DetailPrint "Keeping the existing $ConfigDir\${CONFIG}"
  ${EndIf}

  ; the exe registers the per-user task from a UTF-16LE task XML (see docs/windows.md)
  nsExec::ExecToLog '"$InstDir\${APPEXE}" schedule install --config "$ConfigDir"'
  Pop $0
  ${If} $0 != 0
    MessageBox MB_ICONEXCLAMATION|MB_OK "The daily task could not be registered (exit code $0). After fixing the configuration, run: equilybrium schedule install --config $\"$ConfigDir$\"" /SD IDOK
  ${EndIf}

  WriteRegStr HKCU "${APPKEY}" "InstallDir" "$InstDir"
  WriteRegStr HKCU "${APPKEY}" "ConfigDir" "$ConfigDir"

  WriteRegStr   HKCU "${UNINSTKEY}" "DisplayName"          "${APPNAME}"
  WriteRegStr   HKCU "${UNINSTKEY}" "DisplayVersion"       "${VERSION}"
  WriteRegStr   HKCU "${UNINSTKEY}" "Publisher"            "${COMPANY}"
  WriteRegStr   HKCU "${UNINSTKEY}" "DisplayIcon"          "$InstDir\${APPEXE},0"
  WriteRegStr   HKCU "${UNINSTKEY}" "InstallLocation"      "$InstDir"
  WriteRegStr   HKCU "${UNINSTKEY}" "UninstallString"      '"$InstDir\Uninstall.exe"'
  WriteRegStr   HKCU "${UNINSTKEY}" "QuietUninstallString" '"$InstDir\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$InstDir" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"

  CreateDirectory "$SMPrograms\${APPNAME}"
  ; cmd /k keeps the window open, so the summary line can be read
  CreateShortcut "$SMPrograms\${APPNAME}\Check now.lnk" "$SysDir\cmd.exe" '/k ""$InstDir\${APPEXE}" run --role A --config "$ConfigDir""' "$InstDir\${APPEXE}" 0
  CreateShortcut "$SMPrograms\${APPNAME}\Open the report.lnk" "$ConfigDir\${REPORT}"
  CreateShortcut "$SMPrograms\${APPNAME}\Open the config folder.lnk" "$ConfigDir"
  CreateShortcut "$SMPrograms\${APPNAME}\Uninstall ${APPNAME}.lnk" "$InstDir\Uninstall.exe"
SectionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

; Removes the task and the program; the config folder and everything in it stay.
Section "Uninstall"
  nsExec::ExecToLog '"$InstDir\${APPEXE}" schedule remove'
  Pop $0
  ${If} $0 != 0
    ReadEnvStr $R0 USERNAME                             ; the name `schedule` gives the task
    nsExec::ExecToLog '"$SysDir\schtasks.exe" /Delete /F /TN "${APPNAME} daily check ($R0)"'
    Pop $0
  ${EndIf}
  Delete "$InstDir\${APPEXE}"
  Delete "$InstDir\${TASKEXE}"
  Delete "$InstDir\${TASKEXE}.tmp"
  Delete "$InstDir\Uninstall.exe"
  RMDir "$InstDir"                                      ; only if empty: never /r
  Delete "$SMPrograms\${APPNAME}\Check now.lnk"
  Delete "$SMPrograms\${APPNAME}\Open the report.lnk"
  Delete "$SMPrograms\${APPNAME}\Open the config folder.lnk"
  Delete "$SMPrograms\${APPNAME}\Uninstall ${APPNAME}.lnk"
  RMDir "$SMPrograms\${APPNAME}"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegValue HKCU "${APPKEY}" "InstallDir"          ; ConfigDir stays: a reinstall offers it again
  DeleteRegKey /IfEmpty HKCU "${APPKEY}"
SectionEnd
