; Equilybrium per-user installer (no admin rights): %LOCALAPPDATA%\Programs\Equilybrium.
; Built by `pnpm build:win` (tools/build-win.ts) with Debian's makensis:
;   makensis -WX -DVERSION=1.0.0 -DEXE=dist/equilybrium.exe -DICON=dist/equilybrium.ico
;            -DOUTFILE=dist/equilybrium-setup-1.0.0.exe windows-installer/equilybrium.nsi
; Silent:  equilybrium-setup-1.0.0.exe /S /CONFIGDIR=D:\Sync\Equilybrium /FOLDERS="D:\Photos|E:\My Music"
;                                       [/RUNNOW] [/D=C:\Apps\Equilybrium]
;   /FOLDERS= the folders to monitor, separated by "|", which no Windows path can hold; quoted,
;             since GetOptions ends an unquoted value at the next "/" or "'"
;   /RUNNOW   starts the first check when installed, in the background (the finish page's
;             "Check now"); the interactive installer takes /CONFIGDIR= and /FOLDERS= to fill its pages
; The exe does the real work (config and folders: `init --folders-file`, task: `schedule
; install|remove`), so this script stays thin and the logic, JSON escaping included, is
; tested TypeScript. Per-user installers write only to HKCU and the user's profile (NSIS
; Examples/install-per-user.nsi).

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
; Windows notifications (packages/cli/src/notify/desktop-windows.ts): the app id a toast is
; shown under, and the equilybrium: URI a click on it opens (the exe's `open-report`)
!define TOASTAPP  "Equilybrium.Monitor"
!define AUMIDKEY  "Software\Classes\AppUserModelId\${TOASTAPP}"
!define URIKEY    "Software\Classes\equilybrium"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user      ; manifest asInvoker: no UAC prompt
InstallDir ""                   ; set in .onInit, so /D= and a previous install win
InstallDirRegKey HKCU "${APPKEY}" "InstallDir"
SetCompressor /SOLID lzma
ShowInstDetails show
ShowUninstDetails show
BrandingText "${APPNAME} ${VERSION}"      ; instead of "Nullsoft Install System v3.08"
CompletedText "Installed"

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
!include nsDialogs.nsh          ; the folders page
!include "${__FILEDIR__}\aumid.nsh" ; SetLnkAUMID

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif

Var ConfigDir
Var FolderFile                  ; the folders to monitor, one a line (UTF-16LE): no length limit
Var FolderCount
Var RunNow                      ; 1: /RUNNOW, start the first check when installed
Var HadConfig                   ; 1: the config folder held a config before this install
Var FolderList                  ; the folders page's list box
Var CheckStarted                ; 1: "Check now" started, and opens the report when it ends

; ---- pages ---------------------------------------------------------------------------
!define MUI_WELCOMEPAGE_TITLE "Welcome to ${APPNAME} ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "${APPNAME} checks that every file of this PC is intact and has a correct copy on your NAS, and tells you when one does not.$\r$\n$\r$\nThis setup installs it for you alone, with no administrator rights. It asks for two things:$\r$\n$\r$\n${U+2022}  the folder your sync tool shares with the NAS$\r$\n${U+2022}  the folders of this PC to monitor$\r$\n$\r$\nThen it schedules the check (03:00 every day, unless the configuration says otherwise) and offers to run the first one."
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!define MUI_PAGE_HEADER_TEXT "Configuration folder"
!define MUI_PAGE_HEADER_SUBTEXT "Where Equilybrium keeps its configuration, databases and report."
!define MUI_DIRECTORYPAGE_TEXT_TOP "Choose the folder your sync tool mirrors to the NAS, so both machines share the configuration and see each other's database. A starter configuration is written there if none exists. Uninstalling never deletes this folder."
!define MUI_DIRECTORYPAGE_TEXT_DESTINATION "Configuration folder"
!define MUI_DIRECTORYPAGE_VARIABLE $ConfigDir
!define MUI_PAGE_CUSTOMFUNCTION_SHOW ConfigDirShow
!insertmacro MUI_PAGE_DIRECTORY
Page custom FoldersPage FoldersLeave
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_TITLE "${APPNAME} is installed"
!define MUI_FINISHPAGE_TEXT "The check runs on schedule and writes its report in the configuration folder:$\r$\n$ConfigDir$\r$\n$\r$\nThe first check reads every file once: on a big disk it takes a while. Both are also in the Start menu, under ${APPNAME}."
!define MUI_FINISHPAGE_TEXT_LARGE
!define MUI_FINISHPAGE_RUN
!define MUI_FINISHPAGE_RUN_TEXT "Check now (in a window that shows the progress)"
!define MUI_FINISHPAGE_RUN_FUNCTION CheckNow
!define MUI_FINISHPAGE_SHOWREADME
!define MUI_FINISHPAGE_SHOWREADME_TEXT "Open the report (when the check is done)"
!define MUI_FINISHPAGE_SHOWREADME_FUNCTION OpenReport
!define MUI_PAGE_CUSTOMFUNCTION_SHOW FinishShow
!insertmacro MUI_PAGE_FINISH
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
  ClearErrors
  ${GetOptions} $R0 "/RUNNOW" $R1
  ${IfNot} ${Errors}
    StrCpy $RunNow 1
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/FOLDERS=" $R1
  InitPluginsDir
  StrCpy $FolderFile "$PLUGINSDIR\folders.txt"
  Call SaveFolderList
  Call SizeWithTwin
FunctionEnd

; /FOLDERS= ("D:\Photos|E:\Music", in $R1) into the folder file, one a line.
Function SaveFolderList
  FileOpen $R4 $FolderFile w
  FileWriteUTF16LE /BOM $R4 ""
  StrCpy $FolderCount 0
  StrCpy $R0 $R1
  ${Do}
    Call NextFolder
    ${If} $R1 != ""
      FileWriteUTF16LE $R4 "$R1$\r$\n"
      IntOp $FolderCount $FolderCount + 1
    ${EndIf}
  ${LoopUntil} $R0 == ""
  FileClose $R4
FunctionEnd

; The next folder of the "|" list in $R0: $R1 gets it (may be ""), $R0 the rest.
Function NextFolder
  StrCpy $R2 0
  ${Do}
    StrCpy $R3 $R0 1 $R2
    ${If} $R3 == "|"
    ${OrIf} $R3 == ""
      ${ExitDo}
    ${EndIf}
    IntOp $R2 $R2 + 1
  ${Loop}
  StrCpy $R1 $R0 $R2
  IntOp $R2 $R2 + 1
  StrCpy $R0 $R0 "" $R2
FunctionEnd

; The next line of the folder file open in $R4, without its line end and with "|" after it, in
; $R1; "" at the end of the file.
Function ReadFolderLine
  ClearErrors
  FileReadUTF16LE $R4 $R1
  ${If} ${Errors}
    StrCpy $R1 ""
    Return
  ${EndIf}
  StrCpy $R3 $R1 1
  ${If} $R3 == "${U+FEFF}"                              ; the BOM the exe needs, at the start
    StrCpy $R1 $R1 "" 1
  ${EndIf}
  ${Do}
    StrCpy $R3 $R1 1 -1
    ${If} $R3 != "$\r"
    ${AndIf} $R3 != "$\n"
      ${ExitDo}
    ${EndIf}
    StrCpy $R1 $R1 -1
  ${Loop}
  StrCpy $R1 "$R1|"                                      ; never "" for a read line
FunctionEnd

; "D:\" as the last argument would end in \" and swallow its closing quote: use "D:\."
Function QuotableConfigDir
  StrCpy $R2 $ConfigDir 1 -1
  ${If} $R2 == "\"
    StrCpy $ConfigDir "$ConfigDir."
  ${EndIf}
FunctionEnd

; ---- the folders page ----------------------------------------------------------------
; A list with Add and Remove: Add opens Windows' folder picker. The list lives in $FolderFile,
; one a line, between the pages and the section (NSIS strings end at 1024 characters), and
; is handed to the exe as it is.

Function FoldersPage
  !insertmacro MUI_HEADER_TEXT "Folders to monitor" "The folders of this PC whose files are checked and compared with the NAS."
  nsDialogs::Create 1018
  Pop $0
  ${If} $0 == error
    Abort
  ${EndIf}
  ${If} ${FileExists} "$ConfigDir\${CONFIG}"
    StrCpy $1 "$ConfigDir already holds a configuration: the folders it monitors stay, and those you add here are added to them."
  ${Else}
    StrCpy $1 "Add each folder you back up to the NAS, such as your Pictures and Documents. Every file in it and in its subfolders is checked. You can change the list later in equilybrium.config.ini."
  ${EndIf}
  ${NSD_CreateLabel} 0 0 100% 30u $1
  Pop $0
  ${NSD_CreateListBox} 0 34u 76% 104u ""
  Pop $FolderList
  ${NSD_CreateButton} 79% 34u 21% 15u "&Add..."
  Pop $0
  ${NSD_OnClick} $0 AddFolder
  ${NSD_CreateButton} 79% 53u 21% 15u "&Remove"
  Pop $0
  ${NSD_OnClick} $0 RemoveFolder
  FileOpen $R4 $FolderFile r
  ${Do}
    Call ReadFolderLine
    ${If} $R1 != ""
    ${AndIf} $R1 != "|"
      StrCpy $R1 $R1 -1
      ${NSD_LB_AddString} $FolderList $R1
    ${EndIf}
  ${LoopUntil} $R1 == ""
  FileClose $R4
  nsDialogs::Show
FunctionEnd

Function AddFolder
  nsDialogs::SelectFolderDialog "Choose a folder to monitor" "$Documents"
  Pop $0
  ${If} $0 != error
  ${AndIf} $0 != ""
    ${NSD_LB_FindStringExact} $FolderList $0 $1       ; case-insensitive, as Windows names folders
    ${If} $1 < 0
      ${NSD_LB_AddString} $FolderList $0
    ${EndIf}
  ${EndIf}
FunctionEnd

Function RemoveFolder
  ${NSD_LB_GetSelectionIndex} $FolderList $0
  ${If} $0 >= 0
    ${NSD_LB_DelItem} $FolderList $0
  ${EndIf}
FunctionEnd

Function FoldersLeave
  ${NSD_LB_GetCount} $FolderList $1
  StrCpy $FolderCount $1
  FileOpen $R4 $FolderFile w
  FileWriteUTF16LE /BOM $R4 ""
  StrCpy $2 0
  ${DoWhile} $2 < $1
    ${NSD_LB_GetItemText} $FolderList $2 $3
    FileWriteUTF16LE $R4 "$3$\r$\n"
    IntOp $2 $2 + 1
  ${Loop}
  FileClose $R4
  ${If} $1 == 0
  ${AndIfNot} ${FileExists} "$ConfigDir\${CONFIG}"
    MessageBox MB_ICONEXCLAMATION|MB_YESNO "You chose no folder to monitor. Until folders are added to the configuration, every check ends with $\"NOTHING CHECKED$\".$\r$\n$\r$\nContinue without folders?" IDYES +2
    Abort
  ${EndIf}
FunctionEnd

; `init --folders-file`: the exe reads the folder file and writes the JSON; the first
; install makes the config, a later one adds the folders it does not list yet.
Function WriteFolders
  nsExec::ExecToLog '"$InstDir\${APPEXE}" init --role A --config "$ConfigDir" --folders-file "$FolderFile"'
  Pop $0
  ${If} $0 != 0
    SetErrorLevel 2
    MessageBox MB_ICONEXCLAMATION|MB_OK "Could not write the folders to monitor into $ConfigDir\${CONFIG} (exit code $0). Edit [Monitored Directories] A in it, or run: equilybrium init --config $\"$ConfigDir$\" --folder <folder>" /SD IDOK
  ${EndIf}
FunctionEnd

; ---- the finish page -----------------------------------------------------------------

Function ConfigDirShow
  ; the program's size is not needed in the config folder: hide "Space required/available"
  FindWindow $0 "#32770" "" $HWNDPARENT
  GetDlgItem $1 $0 1023
  ShowWindow $1 ${SW_HIDE}
  GetDlgItem $1 $0 1024
  ShowWindow $1 ${SW_HIDE}
FunctionEnd

Function FinishShow
  ; nothing to check yet: the first check would only say so
  ${If} $FolderCount == 0
  ${AndIf} $HadConfig != 1
    SendMessage $mui.FinishPage.Run ${BM_SETCHECK} ${BST_UNCHECKED} 0
  ${EndIf}
FunctionEnd

; The console exe, in a window that stays open on the verdict and what to do; when "Open the
; report" is ticked too, the report opens as the check ends (it is written at the end).
; ExecShell, not Exec: the shell gives a console program a console window of its own, even
; when the installer was started from a console.
Function CheckNow
  StrCpy $CheckStarted 1
  StrCpy $0 '"title ${APPNAME}: first check & "$InstDir\${APPEXE}" run --role A --config "$ConfigDir"'
  SendMessage $mui.FinishPage.ShowReadme ${BM_GETCHECK} 0 0 $1
  ${If} $1 = ${BST_CHECKED}
    StrCpy $0 '$0 & start "" "$ConfigDir\${REPORT}"'
  ${EndIf}
  ExecShell "open" "$SysDir\cmd.exe" '/k $0"'
FunctionEnd

Function OpenReport
  ${If} $CheckStarted == 1
    Return                                              ; the check opens it when it ends
  ${EndIf}
  ${If} ${FileExists} "$ConfigDir\${REPORT}"
    ExecShell open "$ConfigDir\${REPORT}"
  ${Else}
    MessageBox MB_ICONINFORMATION|MB_OK "There is no report yet: the first check writes it in $ConfigDir. Run it from the Start menu: ${APPNAME} > Check now."
  ${EndIf}
FunctionEnd

Section "Install" SecInstall
  SetOutPath "$InstDir"
  File "/oname=${APPEXE}" "${EXE}"
  WriteUninstaller "$InstDir\Uninstall.exe"

  Call QuotableConfigDir
  CreateDirectory "$ConfigDir"
  ${If} ${FileExists} "$ConfigDir\${CONFIG}"
    StrCpy $HadConfig 1
  ${EndIf}
  ${If} $HadConfig == 1
  ${AndIf} $FolderCount == 0
    DetailPrint "Keeping the existing $ConfigDir\${CONFIG} as it is"
  ${Else}
    Call WriteFolders
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

  ; toasts: shown under Equilybrium's name and icon; a click opens the report
  WriteRegStr HKCU "${AUMIDKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${AUMIDKEY}" "IconUri" "$InstDir\${APPEXE}"
  !insertmacro SetLnkAUMID "$SMPrograms\${APPNAME}\Open the report.lnk" "${TOASTAPP}"
  WriteRegStr HKCU "${URIKEY}" "" "URL:${APPNAME}"
  WriteRegStr HKCU "${URIKEY}" "URL Protocol" ""
  WriteRegStr HKCU "${URIKEY}\shell\open\command" "" '"$InstDir\${TASKEXE}" open-report --config "$ConfigDir" "%1"'

  ; /RUNNOW: the first check, as the task runs it (no window), while the installer ends
  ${If} $RunNow == 1
  ${AndIf} ${Silent}                                    ; interactive: the finish page asks
    ${If} ${FileExists} "$InstDir\${TASKEXE}"
      Exec '"$InstDir\${TASKEXE}" run --role A --config "$ConfigDir"'
      DetailPrint "Started the first check"
    ${Else}
      DetailPrint "The first check was not started: the task is not registered"
    ${EndIf}
  ${EndIf}
SectionEnd

; `schedule install` writes the windowless twin of the exe beside it: the same size again.
; (After the section, whose index it needs; called by .onInit.)
Function SizeWithTwin
  SectionGetSize ${SecInstall} $R1
  IntOp $R1 $R1 * 2
  SectionSetSize ${SecInstall} $R1
FunctionEnd

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
  DeleteRegKey HKCU "${AUMIDKEY}"
  DeleteRegKey HKCU "${URIKEY}"
  DeleteRegValue HKCU "${APPKEY}" "InstallDir"          ; ConfigDir stays: a reinstall offers it again
  RMDir "$LocalAppData\${APPNAME}"                       ; what `schedule remove` left, if empty
  DeleteRegKey /IfEmpty HKCU "${APPKEY}"
SectionEnd
